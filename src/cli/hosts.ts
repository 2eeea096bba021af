/**
 * `orzo host add NAME ADDRESS | set NAME address=… quantum=… | remove NAME | list`: the hosts
 * whose agents the poller dumps, kept in the indexer as resources of type `host` (the resource
 * API manages them too). The poller reads the list every 5 s, so a change applies without a
 * restart.
 */
import type { EngineConfig } from '../config/index.ts';
import { createIndexer } from '../indexer/index.ts';
import {
  addHost,
  ensureHostSchema,
  listHosts,
  parseAgentAddress,
  removeHost,
  setHost,
  type HostSettings,
} from '../metricd/index.ts';
import { AccountCommandError } from './accounts.ts';

/** Runs one host command; resolves to the lines to print. */
export async function runHosts(
  config: EngineConfig,
  positionals: readonly string[],
): Promise<string[]> {
  const [, action, name, address, ...more] = positionals;
  const indexer = createIndexer(config.backends.indexer);
  const nowUs = Date.now() * 1000;
  try {
    switch (action) {
      case 'add': {
        if (
          name === undefined ||
          address === undefined ||
          parseAgentAddress(address) === undefined
        ) {
          throw new AccountCommandError('usage: orzo host add NAME HOST:PORT');
        }
        await ensureHostSchema(indexer, config.archivePolicy.defaultAggregationMethods);
        const host = await addHost(indexer, name, address, nowUs);
        return [`host ${host.name} added (${host.address}, resource ${host.resourceId})`];
      }
      case 'set': {
        const settings = name === undefined ? undefined : hostSettings([address ?? '', ...more]);
        if (name === undefined || settings === undefined) throw new AccountCommandError(SET_USAGE);
        await ensureHostSchema(indexer, config.archivePolicy.defaultAggregationMethods);
        const host = await setHost(indexer, name, settings);
        const quantum = host.quantumSeconds ?? `${String(config.poller.quantumSeconds)} (default)`;
        return [`host ${host.name} at ${host.address}, quantum ${String(quantum)} s`];
      }
      case 'remove':
        if (name === undefined) throw new AccountCommandError('usage: orzo host remove NAME');
        await removeHost(indexer, name);
        return [`host ${name} removed, its metrics with it`];
      case 'list': {
        await ensureHostSchema(indexer, config.archivePolicy.defaultAggregationMethods);
        const hosts = await listHosts(indexer, nowUs);
        return hosts.map(
          (host) =>
            `${host.name}\t${host.address}\t${host.resourceId}\t${String(host.quantumSeconds ?? 'default')}`,
        );
      }
      default:
        throw new AccountCommandError(
          `usage: orzo host add NAME HOST:PORT | ${SET_USAGE.slice('usage: orzo host '.length)} | remove NAME | list`,
        );
    }
  } finally {
    await indexer.close();
  }
}

const SET_USAGE = 'usage: orzo host set NAME [address=HOST:PORT] [quantum=SECONDS|default]';

/** `key=value` words as settings; undefined when one is not a setting or none is given. */
function hostSettings(words: readonly string[]): HostSettings | undefined {
  const settings: { address?: string; quantumSeconds?: number | null } = {};
  for (const word of words.filter((entry) => entry !== '')) {
    const [key, value = ''] = word.split(/=(.*)/s);
    if (key === 'address' && parseAgentAddress(value) !== undefined) {
      settings.address = value;
    } else if (key === 'quantum' && value === 'default') {
      settings.quantumSeconds = null;
    } else if (key === 'quantum' && Number(value) >= 1 && Number(value) <= 86_400) {
      settings.quantumSeconds = Number(value);
    } else {
      return undefined;
    }
  }
  return Object.keys(settings).length === 0 ? undefined : settings;
}
