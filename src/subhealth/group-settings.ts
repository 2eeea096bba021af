/**
 * A sub-health group: which instances it compares (resources of one type, optionally filtered
 * by attribute values), the wait and load signals of each (metrics of those resources, by name
 * pattern), and how it decides. Two groups exist out of the box; users change them and add
 * their own through the API, the settings being kept in the indexer as what they set over the
 * defaults.
 */
import {
  DEFAULT_DETECTION_SETTINGS,
  type DetectionSettings,
  type DetectionStrategy,
} from './slow-instance-detector.ts';
import { InvalidSubhealthSettingsError } from './errors.ts';

/** One signal: the sum over the instance's metrics whose names match any of `metrics`. */
export interface SignalSpec {
  readonly name: string;
  /** Metric name patterns (fnmatch: `*`, `?`, `[…]`). */
  readonly metrics: readonly string[];
}

/** A group's whole settings. */
export interface SubhealthGroup extends DetectionSettings {
  readonly name: string;
  /** Checks run; off by default, so that detection is chosen, group by group. */
  readonly enabled: boolean;
  /** Findings are recorded as what would have been flagged, with no warning and no count. */
  readonly dryRun: boolean;
  /** Seconds between two checks; each check looks at one interval's worth of figures. */
  readonly intervalSeconds: number;
  /**
   * How long before the check time the interval it looks at ends: a point is whole once its
   * granularity has passed and metricd has processed its measures, so the newest seconds are
   * left for the next check rather than read half there.
   */
  readonly settleSeconds: number;
  /** The instances: resources of this type… */
  readonly resourceType: string;
  /** …whose attributes have these values. */
  readonly filter: Readonly<Record<string, string | number | boolean>>;
  /** The attribute that names an instance in findings (its resource id when absent or null). */
  readonly nameAttribute: string | null;
  /** The attribute that names its host in findings (none when absent or null). */
  readonly hostAttribute: string | null;
  /** Its waits: each signal's value in a check, added up. */
  readonly waits: readonly SignalSpec[];
  /** Its load: the mean of its share of each signal. */
  readonly loads: readonly SignalSpec[];
}

/** The group of metricd's workers, whose figures the reporter writes as `metricd_worker` series. */
export const METRICD_WORKERS_GROUP = 'metricd_workers';
/** The group of the hosts the poller dumps. */
export const AGENT_HOSTS_GROUP = 'agent_hosts';

/**
 * The default check interval: the seed's collection period, long enough for a host's 15 s
 * samples to give two points per check.
 */
export const DEFAULT_INTERVAL_SECONDS = 30;

/**
 * The default settle time: the `host` policy's 15 s points are whole 15 s after they begin, and
 * a poll and a metricd tick or two store and process them.
 */
export const DEFAULT_SETTLE_SECONDS = 20;

const COMMON = {
  ...DEFAULT_DETECTION_SETTINGS,
  enabled: false,
  dryRun: false,
  intervalSeconds: DEFAULT_INTERVAL_SECONDS,
  settleSeconds: DEFAULT_SETTLE_SECONDS,
  filter: {},
};

/** The groups that exist out of the box, by name. */
export const BUILT_IN_GROUPS: Readonly<Record<string, SubhealthGroup>> = Object.freeze({
  [METRICD_WORKERS_GROUP]: {
    ...COMMON,
    // NOTE: workers do not wait for one another, so a slow one does not gather most of the
    // group's waits as a slow database node does; it waits far more per unit of work than its
    // peers, which is what the outlier rule on waits per load finds.
    strategy: 'mad',
    name: METRICD_WORKERS_GROUP,
    resourceType: 'metricd_worker',
    nameAttribute: 'name',
    hostAttribute: 'host',
    waits: [
      { name: 'io_wait', metrics: ['io_wait_seconds:rate'] },
      { name: 'stalled_ops', metrics: ['stalled_ops'] },
    ],
    loads: [
      { name: 'metrics', metrics: ['metrics_processed:rate'] },
      { name: 'measures', metrics: ['measures_processed:rate'] },
      { name: 'bytes_written', metrics: ['bytes_written:rate'] },
    ],
  },
  [AGENT_HOSTS_GROUP]: {
    ...COMMON,
    name: AGENT_HOSTS_GROUP,
    resourceType: 'host',
    nameAttribute: 'host_name',
    hostAttribute: 'host_name',
    waits: [
      { name: 'procs_blocked', metrics: ['node_procs_blocked'] },
      { name: 'io_pressure', metrics: ['node_pressure_io_waiting_seconds_total:rate'] },
      { name: 'cpu_pressure', metrics: ['node_pressure_cpu_waiting_seconds_total:rate'] },
      { name: 'iowait', metrics: ['node_cpu_seconds_total:rate@mode=iowait'] },
    ],
    loads: [
      {
        name: 'cpu',
        metrics: [
          'node_cpu_seconds_total:rate@mode=user',
          'node_cpu_seconds_total:rate@mode=system',
        ],
      },
      {
        name: 'disk',
        metrics: ['node_disk_read_bytes_total:rate@*', 'node_disk_written_bytes_total:rate@*'],
      },
      {
        name: 'network',
        metrics: [
          'node_network_receive_bytes_total:rate@*',
          'node_network_transmit_bytes_total:rate@*',
        ],
      },
    ],
  },
});

/** Group names: what a resource type name may be, so that they fit URLs and metric names. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The keys of a group's settings with what each must be. */
const NUMBERS: Readonly<
  Record<string, { min: number; max: number; integer?: boolean; exclusiveMin?: boolean }>
> = {
  minShare: { min: 0, max: 1 },
  minExcess: { min: 0, max: 1_000_000 },
  minTotalWaits: { min: 0, max: Number.MAX_SAFE_INTEGER },
  minInstances: { min: 2, max: 1_000_000, integer: true },
  consecutive: { min: 1, max: 10_000, integer: true },
  clearAfter: { min: 1, max: 10_000, integer: true },
  intervalSeconds: { min: 1, max: 86_400 },
  settleSeconds: { min: 0, max: 86_400 },
};
const BOOLEANS = ['enabled', 'dryRun'] as const;
const STRATEGIES: readonly DetectionStrategy[] = ['share', 'mad'];
const KEYS = new Set([
  ...Object.keys(NUMBERS),
  ...BOOLEANS,
  'strategy',
  'resourceType',
  'filter',
  'nameAttribute',
  'hostAttribute',
  'waits',
  'loads',
]);

/** Whether a name may name a group. */
export function isGroupName(name: string): boolean {
  return NAME.test(name);
}

/**
 * A group's settings from what is stored for it over its defaults (a built-in group's, or none
 * for a user's group, which must then say every part that has no default).
 */
export function resolveGroup(
  name: string,
  stored: Readonly<Record<string, unknown>>,
): SubhealthGroup {
  if (!isGroupName(name)) {
    throw new InvalidSubhealthSettingsError(name, 'a name is 1 to 64 letters, digits, _ or -');
  }
  const base: Partial<SubhealthGroup> = BUILT_IN_GROUPS[name] ?? { ...COMMON, name };
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(stored)) {
    if (!KEYS.has(key)) throw new InvalidSubhealthSettingsError(name, `unknown setting ${key}`);
    merged[key] = value;
  }
  for (const [key, range] of Object.entries(NUMBERS)) {
    const value = merged[key];
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < range.min ||
      value > range.max ||
      (range.integer === true && !Number.isInteger(value))
    ) {
      const kind = range.integer === true ? 'an integer' : 'a number';
      throw new InvalidSubhealthSettingsError(
        name,
        `${key} must be ${kind} from ${range.min} to ${range.max}`,
      );
    }
  }
  for (const key of BOOLEANS) {
    if (typeof merged[key] !== 'boolean') {
      throw new InvalidSubhealthSettingsError(name, `${key} must be true or false`);
    }
  }
  if (!STRATEGIES.includes(merged.strategy as DetectionStrategy)) {
    throw new InvalidSubhealthSettingsError(
      name,
      `strategy must be one of ${STRATEGIES.join(', ')}`,
    );
  }
  if (typeof merged.resourceType !== 'string' || merged.resourceType === '') {
    throw new InvalidSubhealthSettingsError(name, 'resourceType must name a resource type');
  }
  for (const key of ['nameAttribute', 'hostAttribute'] as const) {
    const value = merged[key] ?? null;
    if (value !== null && (typeof value !== 'string' || value === '')) {
      throw new InvalidSubhealthSettingsError(name, `${key} must be an attribute name or null`);
    }
    merged[key] = value;
  }
  merged.filter = checkFilter(name, merged.filter);
  merged.waits = checkSignals(name, 'waits', merged.waits);
  merged.loads = checkSignals(name, 'loads', merged.loads);
  return Object.freeze(merged) as unknown as SubhealthGroup;
}

/**
 * What a PATCH leaves stored for a group: `change`'s keys over what was stored (`null` for a key
 * goes back to its default), checked by resolving the result.
 */
export function patchGroup(
  name: string,
  stored: Readonly<Record<string, unknown>> | undefined,
  change: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const next = Object.fromEntries(
    [...Object.entries(stored ?? {}), ...Object.entries(change)].filter(
      ([key]) => !(change[key] === null && key !== 'nameAttribute' && key !== 'hostAttribute'),
    ),
  );
  resolveGroup(name, next);
  return next;
}

function checkFilter(
  group: string,
  value: unknown,
): Readonly<Record<string, string | number | boolean>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidSubhealthSettingsError(group, 'filter must be an object of attribute values');
  }
  for (const [key, item] of Object.entries(value)) {
    if (!['string', 'number', 'boolean'].includes(typeof item)) {
      throw new InvalidSubhealthSettingsError(
        group,
        `filter.${key} must be a string, a number or a boolean`,
      );
    }
  }
  return Object.freeze({ ...(value as Record<string, string | number | boolean>) });
}

function checkSignals(group: string, key: string, value: unknown): readonly SignalSpec[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 32) {
    throw new InvalidSubhealthSettingsError(group, `${key} must list 1 to 32 signals`);
  }
  const names = new Set<string>();
  return Object.freeze(
    value.map((signal: unknown, index) => {
      const where = `${key}[${index}]`;
      if (typeof signal !== 'object' || signal === null) {
        throw new InvalidSubhealthSettingsError(group, `${where} must be {name, metrics}`);
      }
      const { name, metrics } = signal as { name?: unknown; metrics?: unknown };
      if (typeof name !== 'string' || !isGroupName(name) || names.has(name)) {
        throw new InvalidSubhealthSettingsError(group, `${where}.name must be a distinct name`);
      }
      names.add(name);
      if (
        !Array.isArray(metrics) ||
        metrics.length === 0 ||
        metrics.some((pattern) => typeof pattern !== 'string' || pattern === '')
      ) {
        throw new InvalidSubhealthSettingsError(group, `${where}.metrics must list metric names`);
      }
      return Object.freeze({ name, metrics: Object.freeze([...(metrics as string[])]) });
    }),
  );
}
