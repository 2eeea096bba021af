/**
 * `orzo host add NAME ADDRESS | remove NAME | list`: the hosts whose agents the poller dumps,
 * kept in the indexer as resources of type `host` (the resource API manages them too). The
 * poller reads the list every quantum, so a change applies without a restart.
 */
import type { EngineConfig } from '../config/index.ts';
import { createIndexer } from '../indexer/index.ts';
import {
  addHost,
  ensureHostSchema,
  listHosts,
  parseAgentAddress,
  removeHost,
} from '../metricd/index.ts';
import { AccountCommandError } from './accounts.ts';

/** Runs one host command; resolves to the lines to print. */
export async function runHosts(
  config: EngineConfig,
  positionals: readonly string[],
): Promise<string[]> {
  const [, action, name, address] = positionals;
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
      case 'remove':
        if (name === undefined) throw new AccountCommandError('usage: orzo host remove NAME');
        await removeHost(indexer, name);
        return [`host ${name} removed, its metrics with it`];
      case 'list': {
        await ensureHostSchema(indexer, config.archivePolicy.defaultAggregationMethods);
        const hosts = await listHosts(indexer, nowUs);
        return hosts.map((host) => `${host.name}\t${host.address}\t${host.resourceId}`);
      }
      default:
        throw new AccountCommandError('usage: orzo host add NAME HOST:PORT | remove NAME | list');
    }
  } finally {
    await indexer.close();
  }
}
