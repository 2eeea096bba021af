/**
 * `orzo subhealth status [GROUP] | enable GROUP [dry-run] | disable GROUP | set GROUP KEY=VALUE…
 * | timeline GROUP [start=T] [stop=T] | findings GROUP CHECK_TIME`: sub-health detection's
 * settings, kept in the indexer (the running detector applies a change at its next check), and
 * its findings. `status` adds what the active reporter last published of each group.
 */
import type { EngineConfig } from '../config/index.ts';
import { createStatusBoardReader, isStale } from '../coordination/index.ts';
import { parseTimestamp, pythonIsoformat } from '../grammar/index.ts';
import { createIndexer } from '../indexer/index.ts';
import { changeGroups, readGroups, type SubhealthGroup } from '../subhealth/index.ts';
import { AccountCommandError } from './accounts.ts';

const USAGE =
  'usage: orzo subhealth status [GROUP] | enable GROUP [dry-run] | disable GROUP | ' +
  'set GROUP KEY=VALUE… | timeline GROUP [start=TIME] [stop=TIME] | findings GROUP CHECK_TIME';

const DAY_US = 86_400 * 1_000_000;

/** Runs one sub-health command; resolves to the lines to print. */
export async function runSubhealth(
  config: EngineConfig,
  positionals: readonly string[],
): Promise<string[]> {
  const [, action, group, ...more] = positionals;
  const indexer = createIndexer(config.backends.indexer);
  const nowUs = Date.now() * 1000;
  try {
    switch (action) {
      case 'status': {
        const { groups } = await readGroups(indexer);
        const live = await readLiveGroups(config);
        return groups
          .filter((candidate) => group === undefined || candidate.name === group)
          .flatMap((candidate) => describeGroup(candidate, live[candidate.name]));
      }
      case 'enable':
      case 'disable': {
        if (group === undefined) throw new AccountCommandError(USAGE);
        const change = {
          enabled: action === 'enable',
          ...(action === 'enable' ? { dryRun: more.includes('dry-run') } : {}),
        };
        const groups = await changeGroups(indexer, { [group]: change }, nowUs);
        return groups
          .filter((candidate) => candidate.name === group)
          .flatMap((g) => describeGroup(g));
      }
      case 'set': {
        if (group === undefined || more.length === 0) throw new AccountCommandError(USAGE);
        const groups = await changeGroups(indexer, { [group]: settingsOf(more) }, nowUs);
        return groups
          .filter((candidate) => candidate.name === group)
          .flatMap((g) => describeGroup(g));
      }
      case 'timeline': {
        if (group === undefined) throw new AccountCommandError(USAGE);
        const words = keyValues(more);
        const stop = words.stop === undefined ? nowUs : timeOf('stop', words.stop, nowUs);
        const start =
          words.start === undefined ? stop - DAY_US : timeOf('start', words.start, nowUs);
        const points = await indexer.subhealthTimeline(group, start, stop);
        return points.map(
          (point) => `${pythonIsoformat(point.checkTime)}\t${String(point.slowInstances)}`,
        );
      }
      case 'findings': {
        const [checkTime] = more;
        if (group === undefined || checkTime === undefined) throw new AccountCommandError(USAGE);
        const findings = await indexer.subhealthFindings(
          group,
          timeOf('check time', checkTime, nowUs),
        );
        return findings.map((finding) =>
          [
            finding.instanceName,
            finding.hostName ?? '-',
            `flagged ${String(finding.triggerTimes)} times in 24 h`,
            `wait share ${finding.waitShare.toFixed(3)}`,
            `load share ${finding.loadShare.toFixed(3)}`,
            `excess ${finding.excess.toFixed(2)}`,
            `top waits ${JSON.stringify(finding.topWaits)}`,
          ].join('\t'),
        );
      }
      default:
        throw new AccountCommandError(USAGE);
    }
  } finally {
    await indexer.close();
  }
}

/** What the detector module publishes of a group. */
interface LiveGroup {
  readonly last_check?: string | null;
  readonly instances?: number;
  readonly suspects?: number;
  readonly slow_instances?: number;
  readonly slow?: readonly { readonly name: string; readonly host: string | null }[];
}

/** What the active reporter last published of each group; nothing when no metricd runs. */
async function readLiveGroups(config: EngineConfig): Promise<Record<string, LiveGroup>> {
  const board = createStatusBoardReader(config.backends.coordination, config.dataDir);
  try {
    const status = await board.read();
    if (status === undefined || isStale(status, new Date())) return {};
    const groups = status.reporter.modules.subhealth?.groups;
    return typeof groups === 'object' && groups !== null
      ? (groups as Record<string, LiveGroup>)
      : {};
  } catch {
    return {};
  } finally {
    await board.close();
  }
}

function describeGroup(group: SubhealthGroup, live?: LiveGroup): string[] {
  const state = group.enabled ? (group.dryRun ? 'enabled (dry run)' : 'enabled') : 'disabled';
  const lines = [
    `${group.name}: ${state}, every ${String(group.intervalSeconds)} s ` +
      `(settle ${String(group.settleSeconds)} s), ${group.strategy} rule, ` +
      `instances of ${group.resourceType}${Object.keys(group.filter).length > 0 ? ` ${JSON.stringify(group.filter)}` : ''}`,
    `  minShare ${String(group.minShare)}, minExcess ${String(group.minExcess)}, ` +
      `minTotalWaits ${String(group.minTotalWaits)}, minInstances ${String(group.minInstances)}, ` +
      `consecutive ${String(group.consecutive)}, clearAfter ${String(group.clearAfter)}`,
  ];
  if (live !== undefined) {
    const slow = (live.slow ?? []).map((entry) => `${entry.name}@${entry.host ?? '-'}`).join(', ');
    lines.push(
      `  last check ${live.last_check ?? 'none yet'}: ${String(live.instances ?? 0)} instances, ` +
        `${String(live.suspects ?? 0)} suspects, ${String(live.slow_instances ?? 0)} slow` +
        (slow === '' ? '' : ` (${slow})`),
    );
  }
  return lines;
}

/** `KEY=VALUE` words as settings, each value as JSON when it reads as JSON, else as text. */
function settingsOf(words: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(keyValues(words)).map(([key, text]) => {
      try {
        return [key, JSON.parse(text) as unknown];
      } catch {
        return [key, text];
      }
    }),
  );
}

function keyValues(words: readonly string[]): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    if (at <= 0) throw new AccountCommandError(`expected KEY=VALUE, got '${word}'\n${USAGE}`);
    pairs[word.slice(0, at)] = word.slice(at + 1);
  }
  return pairs;
}

function timeOf(what: string, text: string, nowUs: number): number {
  const micros = parseTimestamp(text, nowUs);
  if (micros === undefined) {
    throw new AccountCommandError(`${what} must be a date and time or a timestamp, got '${text}'`);
  }
  return micros;
}
