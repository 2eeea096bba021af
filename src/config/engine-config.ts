/**
 * The engine's one configuration, read once and frozen.
 *
 * Layers, each overriding the one before: built-in defaults ← a JSON config file (`--config FILE`
 * or `ORZO_CONFIG`) ← `ORZO_*` environment variables ← command-line flags. This module is the only
 * reader of `process.env` and of config files; every other module receives the slice it needs.
 *
 * Environment variables are named after the key path in SCREAMING_SNAKE case, e.g.
 * `ORZO_API_PORT=8042`, `ORZO_API_CORS_ALLOWED_ORIGINS=https://a,https://b`, `ORZO_DATA_DIR=/srv`.
 * Lists are comma-separated; numbers and booleans are parsed from their text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

import { isAggregationMethod } from '../carbonara/aggregation-method.ts';
import { ConfigError } from '../errors/config-error.ts';
import {
  parseCoordinationUrl,
  parseDataBackendUrl,
  parseIndexerUrl,
  redactUrl,
  type BackendTargets,
} from './backend-urls.ts';

const PORT = Type.Integer({ minimum: 1, maximum: 65535 });
const URL_STRING = Type.String({ minLength: 1 });

/** Settings of the HTTP API. */
const API_CONFIG = Type.Object({
  /** Address to listen on. @defaultValue `127.0.0.1` */
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** Port to listen on. @defaultValue `8041` (Gnocchi's) */
  port: Type.Intersect([PORT], { default: 8041 }),
  /**
   * `basic` as Gnocchi (user from the Basic header, any password, `admin` is admin), `noauth` (the
   * caller from `X-User-Id`, `X-Project-Id`, `X-Roles`), `remoteuser` (the user a trusted proxy
   * names), `verified` (users and API tokens of the indexer, checked; `orzo user`, `orzo token`)
   * or `keystone` (an `X-Auth-Token` validated by Keystone, as OpenStack runs Gnocchi).
   */
  auth: Type.Union(
    [
      Type.Literal('basic'),
      Type.Literal('noauth'),
      Type.Literal('remoteuser'),
      Type.Literal('verified'),
      Type.Literal('keystone'),
    ],
    { default: 'basic' },
  ),
  /**
   * `verified`, `keystone`: failed authentications a client may make within
   * `authFailureWindowSeconds` before it is refused (429) until the oldest of them is out of the
   * window. @defaultValue `10`
   */
  authFailureLimit: Type.Integer({ minimum: 1, default: 10 }),
  /** `verified`, `keystone`: the window of `authFailureLimit`, in seconds. @defaultValue `60` */
  authFailureWindowSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /** `keystone`: Keystone's URL, its v3 API under it (`http://keystone:5000`). @defaultValue none */
  keystoneUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** `keystone`: the service user that validates tokens (role `service`). @defaultValue `gnocchi` */
  keystoneServiceUser: Type.String({ minLength: 1, default: 'gnocchi' }),
  /** `keystone`: that user's password (`ORZO_API_KEYSTONE_SERVICE_PASSWORD`). @defaultValue none */
  keystoneServicePassword: Type.Optional(Type.String()),
  /** `keystone`: the project the service user's token is scoped to. @defaultValue `service` */
  keystoneServiceProject: Type.String({ minLength: 1, default: 'service' }),
  /** `keystone`: the domain of the service user and its project. @defaultValue `default` */
  keystoneDomain: Type.String({ minLength: 1, default: 'default' }),
  /**
   * `keystone`: how long a validated token is trusted without asking Keystone again, at most
   * (never past its expiry); a token revoked meanwhile still works that long, as with
   * keystonemiddleware's `token_cache_time`. @defaultValue `300`
   */
  keystoneCacheSeconds: Type.Number({ minimum: 0, default: 300 }),
  /** `keystone`: seconds Keystone has to answer; then the request gets 503. @defaultValue `5` */
  keystoneTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 5 }),
  /**
   * Refuse to listen on an address other than loopback in the `basic` and `noauth` modes, which
   * trust whatever name a client sends (as Redis's protected mode). @defaultValue `true`
   */
  protectedMode: Type.Boolean({ default: true }),
  /** PEM certificate chain file: with `tlsKeyFile`, the API speaks HTTPS. @defaultValue none */
  tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
  /** PEM private key file of `tlsCertFile`. @defaultValue none */
  tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** The header a trusted proxy names the user in, for `remoteuser`. @defaultValue `X-Remote-User` */
  remoteUserHeader: Type.String({ minLength: 1, default: 'X-Remote-User' }),
  /** Largest page a listing returns (Gnocchi's `[api] max_limit`). @defaultValue `1000` */
  maxLimit: Type.Integer({ minimum: 1, default: 1000 }),
  /** Origins allowed by CORS. @defaultValue none */
  corsAllowedOrigins: Type.Array(Type.String(), { default: [] }),
  /** Proxies whose `X-Forwarded-*` headers are honoured. @defaultValue none */
  trustedProxies: Type.Array(Type.String(), { default: [] }),
  /** Largest accepted request body, in bytes. @defaultValue 64 MiB */
  bodyLimitBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
  /** Seconds a `refresh=true` read waits for a metric's lock. @defaultValue `10` */
  operationTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  /**
   * Seconds a client has to send a request's headers (slow clients holding connections open
   * otherwise). @defaultValue `30`
   */
  headersTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 30 }),
  /**
   * Seconds a client has to send a whole request, body included; answered 408 after.
   * @defaultValue `120`
   */
  requestTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 120 }),
  /** Seconds a connection may stay silent, a request in flight or not. @defaultValue `120` */
  idleTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 120 }),
  /**
   * Worker processes parsing measures bodies of 1 MiB and more, off the event loop.
   * @defaultValue `1`
   */
  parseWorkers: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  /** Heap of each parsing worker in MiB; a body needing more is refused (413). @defaultValue `512` */
  parseWorkerHeapMb: Type.Integer({ minimum: 64, default: 512 }),
  /** Seconds one body may take a parsing worker; a body taking longer is refused (413). */
  parseTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  /**
   * Prometheus remote write: name a series' metric `name@k=v,…` with its other labels (sorted,
   * `job` and `instance` left out) instead of `__name__` alone, so that series differing only by
   * labels (histogram buckets among them) stay apart. Gnocchi keeps the name alone, and the last
   * of such series in a request wins. @defaultValue `false`
   */
  prometheusLabelsInName: Type.Boolean({ default: false }),
});

/** Settings of metricd. */
const METRICD_CONFIG = Type.Object({
  /** Worker processes. @defaultValue `2` */
  workers: Type.Integer({ minimum: 1, maximum: 256, default: 2 }),
  /** Seconds between two backlog scans of the reporter. @defaultValue `1` */
  tickSeconds: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  /** Fewest metrics in a block handed to a worker. @defaultValue `1` */
  minBlockSize: Type.Integer({ minimum: 1, default: 1 }),
  /** Most metrics in a block handed to a worker. @defaultValue `1000` */
  maxBlockSize: Type.Integer({ minimum: 1, default: 1000 }),
  /**
   * Metrics a worker processes at once, so that their I/O overlaps and their storage flushes are
   * shared. @defaultValue `256`
   */
  metricConcurrency: Type.Integer({ minimum: 1, maximum: 1024, default: 256 }),
  /**
   * Size in MiB of each of a worker process's two young-generation semi-spaces (V8's
   * `--max-semi-space-size`); `0` leaves V8's own (16 on 64-bit). A pass keeps hundreds of
   * metrics' series alive across its awaits, which a small young generation copies at every
   * scavenge. @defaultValue `32`
   */
  workerSemiSpaceMb: Type.Integer({ minimum: 0, maximum: 1024, default: 32 }),
  /** Seconds between two janitor runs (expunging deleted metrics). @defaultValue `30` */
  janitorSeconds: Type.Number({ exclusiveMinimum: 0, default: 30 }),
  /** Seconds without a heartbeat after which a worker is deemed hung and replaced. @defaultValue `60` */
  workerTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
  /**
   * Redis coordination: blocks (BullMQ jobs) each worker process runs at once; each block still
   * runs `metricConcurrency` metrics at once. @defaultValue `1`
   */
  jobConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  /**
   * Redis coordination: the lock BullMQ keeps on a running block, renewed while it runs; the block
   * of a worker that died is run again once this lock has run out. @defaultValue `10`
   */
  jobLockSeconds: Type.Number({ minimum: 1, default: 10 }),
  /**
   * Redis coordination: the lease of a per-metric lock, renewed every third of it while held; a
   * holder that could not renew it within the lease stops writing. @defaultValue `10`
   */
  lockLeaseSeconds: Type.Number({ minimum: 1, default: 10 }),
  /** Redis coordination: seconds between two beacons of a reporter. @defaultValue `1` */
  beaconSeconds: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  /**
   * Redis coordination: seconds without a beacon after which a standby reporter takes over from
   * the active one (Ceph's `mon_mgr_beacon_grace`). @defaultValue `5`
   */
  reporterGraceSeconds: Type.Number({ exclusiveMinimum: 0, default: 5 }),
  /**
   * Fault injection, for drills and tests of sub-health detection: milliseconds each storage
   * call of the workers in `faultWorkers` is delayed by, as a slow disk would. @defaultValue `0`
   */
  faultIoDelayMs: Type.Number({ minimum: 0, maximum: 60_000, default: 0 }),
  /** Indexes (from 0) of the workers `faultIoDelayMs` slows. @defaultValue none */
  faultWorkers: Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { default: [] }),
});

/**
 * Settings of the op tracker, which follows every API request and metric processing as an op
 * (Ceph's OpTracker; Ceph's option names are given for each key).
 */
/** Settings of logging. */
const LOG_CONFIG = Type.Object({
  /** Least severe level written (pino's). @defaultValue `info` */
  level: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) =>
      Type.Literal(level),
    ),
    { default: 'info' },
  ),
});

const OPS_CONFIG = Type.Object({
  /**
   * Track ops at all; it can also be switched at runtime (`osd_enable_op_tracker`).
   * @defaultValue `true`
   */
  enabled: Type.Boolean({ default: true }),
  /**
   * In-flight registries, so that starting and finishing an op touch one small map
   * (`osd_num_op_tracker_shard`). @defaultValue `32`
   */
  shards: Type.Integer({ minimum: 1, maximum: 1024, default: 32 }),
  /**
   * Most recent finished ops kept, and the size of the slowest-ops view (`osd_op_history_size`,
   * 20 in Ceph, which operators find too small during incidents). @defaultValue `200`
   */
  historySize: Type.Integer({ minimum: 0, maximum: 10_000, default: 200 }),
  /**
   * Seconds a finished op stays in the history after it finished (`osd_op_history_duration`).
   * @defaultValue `600`
   */
  historyDurationSeconds: Type.Number({ exclusiveMinimum: 0, default: 600 }),
  /**
   * Slow finished ops kept, apart from the history (`osd_op_history_slow_op_size`).
   * @defaultValue `20`
   */
  slowHistorySize: Type.Integer({ minimum: 0, maximum: 10_000, default: 20 }),
  /**
   * Seconds from which a finished op enters the slow history
   * (`osd_op_history_slow_op_threshold`). @defaultValue `10`
   */
  slowThresholdSeconds: Type.Number({ minimum: 0, default: 10 }),
  /**
   * Seconds in flight after which an op is slow and warned about (`osd_op_complaint_time`).
   * @defaultValue `30`
   */
  complaintTimeSeconds: Type.Number({ exclusiveMinimum: 0, default: 30 }),
  /**
   * Most ops held in flight; beyond, new ops run untracked (and are counted), so that the
   * registry stays bounded whatever clients do. @defaultValue `100000`
   */
  maxInFlight: Type.Integer({ minimum: 1, default: 100_000 }),
  /** Most slow-op warnings logged per check (`osd_op_log_threshold`). @defaultValue `5` */
  logThreshold: Type.Integer({ minimum: 0, default: 5 }),
  /** Seconds between two checks for slow ops. @defaultValue `1` */
  checkIntervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 1 }),
});

/** Settings of the statsd listener (`orzo statsd`, or `orzo serve` with `statsd.enabled`). */
const STATSD_CONFIG = Type.Object({
  /** Run the listener inside `orzo serve`. @defaultValue `false` */
  enabled: Type.Boolean({ default: false }),
  /** Address to listen on (UDP). @defaultValue `127.0.0.1` */
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** UDP port. @defaultValue `8125` (statsd's) */
  port: Type.Intersect([PORT], { default: 8125 }),
  /**
   * The resource every metric belongs to (a UUID, or a name made into one as the API does);
   * required to run the listener. @defaultValue none
   */
  resourceId: Type.Optional(Type.String({ minLength: 1 })),
  /** Type of that resource, created when missing. @defaultValue `generic` */
  resourceType: Type.String({ minLength: 1, default: 'generic' }),
  /** Creator of the resource and its metrics. @defaultValue `statsd` */
  creator: Type.String({ minLength: 1, default: 'statsd' }),
  /** `user_id` of a new resource. @defaultValue none */
  userId: Type.Optional(Type.String({ minLength: 1 })),
  /** `project_id` of a new resource. @defaultValue none */
  projectId: Type.Optional(Type.String({ minLength: 1 })),
  /** Policy of new metrics; by the archive policy rules when unset. @defaultValue none */
  archivePolicyName: Type.Optional(Type.String({ minLength: 1 })),
  /** Seconds between two flushes (Gnocchi's `flush_delay`). @defaultValue `10` */
  flushSeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  /**
   * Timer samples and set members held between two flushes, at most; more are dropped and
   * counted on `/metrics`. @defaultValue `1000000`
   */
  maxSamples: Type.Integer({ minimum: 1, default: 1_000_000 }),
  /** Port of `/metrics` for `orzo statsd` on its own (host as `host`). @defaultValue none */
  metricsPort: Type.Optional(PORT),
});

/** A Graphite path rule: a regular expression with the groups `resource` and `metric`. */
const GRAPHITE_RULE = Type.Object({
  /** Matched against the whole path, e.g. `^servers\\.(?<resource>[^.]+)\\.(?<metric>.+)$`. */
  pattern: Type.String({ minLength: 1 }),
  /** Resource type of the paths it matches. @defaultValue `graphite.resourceType` */
  resourceType: Type.Optional(Type.String({ minLength: 1 })),
});

/** Settings of the Graphite plaintext listener (`orzo graphite`, or `graphite.enabled`). */
const GRAPHITE_CONFIG = Type.Object({
  /** Run the listener inside `orzo serve`. @defaultValue `false` */
  enabled: Type.Boolean({ default: false }),
  /** Address to listen on (TCP and UDP). @defaultValue `127.0.0.1` */
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** TCP and UDP port. @defaultValue `2003` (carbon's) */
  port: Type.Intersect([PORT], { default: 2003 }),
  /** Also listen on UDP. @defaultValue `true` */
  udp: Type.Boolean({ default: true }),
  /** Resource type of paths no rule names one for; created when missing. @defaultValue `generic` */
  resourceType: Type.String({ minLength: 1, default: 'generic' }),
  /** Creator of the resources and metrics. @defaultValue `graphite` */
  creator: Type.String({ minLength: 1, default: 'graphite' }),
  /** Policy of new metrics; by the archive policy rules when unset. @defaultValue none */
  archivePolicyName: Type.Optional(Type.String({ minLength: 1 })),
  /** Rules tried in order; the first that matches maps the path. @defaultValue none */
  rules: Type.Array(GRAPHITE_RULE, { default: [] }),
  /**
   * Paths no rule matches: the first N components name the resource, the rest the metric.
   * @defaultValue `1`
   */
  resourceComponents: Type.Integer({ minimum: 1, default: 1 }),
  /** Seconds between two flushes into incoming. @defaultValue `1` */
  flushSeconds: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  /**
   * Lines held before a flush is started early; TCP senders are paused while a flush of that
   * many is under way. @defaultValue `100000`
   */
  maxPendingLines: Type.Integer({ minimum: 1, default: 100_000 }),
  /** Longest line, in bytes; a longer one is malformed. @defaultValue `4096` */
  maxLineBytes: Type.Integer({ minimum: 64, default: 4096 }),
  /** Port of `/metrics` for `orzo graphite` on its own (host as `host`). @defaultValue none */
  metricsPort: Type.Optional(PORT),
});

/** Settings of the host agent (`orzo agent`), on each host the poller dumps. */
const AGENT_CONFIG = Type.Object({
  /** Address the agent listens on for its poller. @defaultValue `127.0.0.1` */
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** TCP port of the dump protocol. @defaultValue `8650` */
  port: Type.Intersect([PORT], { default: 8650 }),
  /**
   * Shared secret the poller signs its requests with (`ORZO_AGENT_SECRET`); required to run the
   * agent. @defaultValue none
   */
  secret: Type.Optional(Type.String({ minLength: 16 })),
  /** The host's name as reported; the system's host name when unset. @defaultValue none */
  hostname: Type.Optional(Type.String({ minLength: 1 })),
  /** Where `/proc` is read; a fixture tree in tests. @defaultValue `/proc` */
  procRoot: Type.String({ minLength: 1, default: '/proc' }),
  /** Seconds between two samples, until a poller asks for another. @defaultValue `15` */
  quantumSeconds: Type.Number({ exclusiveMinimum: 0, default: 15 }),
  /** Samples held until acknowledged, at most (24 h at 15 s). @defaultValue `5760` */
  maxSamples: Type.Integer({ minimum: 1, default: 5760 }),
  /** Bytes of held samples, at most (their JSON form). @defaultValue 64 MiB */
  maxBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
  /** Port of the agent's `/metrics` (Prometheus text of the latest sample). @defaultValue none */
  metricsPort: Type.Optional(PORT),
});

/** Settings of the host poller, a module of the active metricd reporter. */
const POLLER_CONFIG = Type.Object({
  /** Dump the agents of the hosts in the index (`orzo host add`). @defaultValue `false` */
  enabled: Type.Boolean({ default: false }),
  /** The agents' shared secret (`ORZO_POLLER_SECRET`); required when enabled. @defaultValue none */
  secret: Type.Optional(Type.String({ minLength: 16 })),
  /**
   * Seconds between two dumps of an agent, unless its host resource sets `quantum`; agents
   * sample at it. @defaultValue `15`
   */
  quantumSeconds: Type.Number({ minimum: 0.1, default: 15 }),
  /** Seconds an agent has to connect and to answer one request. @defaultValue `10` */
  timeoutSeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
  /**
   * Seconds of silence after which an agent is declared dead (gpperfmon's 150); a failed agent
   * is tried again after one quantum, doubling up to this. @defaultValue `150`
   */
  deadAfterSeconds: Type.Number({ exclusiveMinimum: 0, default: 150 }),
  /**
   * Archive policy of the host metrics the poller makes; `host` (15 s for a day, 5 min for 30
   * days, 1 h for a year) is made if missing, another must exist. @defaultValue `host`
   */
  archivePolicy: Type.String({ minLength: 1, default: 'host' }),
});

/** Settings of the archive policies. */
const ARCHIVE_POLICY_CONFIG = Type.Object({
  /** Methods of a policy created without `aggregation_methods`. @defaultValue Gnocchi's six */
  defaultAggregationMethods: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    default: ['mean', 'min', 'max', 'sum', 'std', 'count'],
  }),
});

/** The whole configuration, as validated. */
export const ENGINE_CONFIG_SCHEMA = Type.Object({
  /** Folder of the embedded backends. @defaultValue `./data` */
  dataDir: Type.String({ minLength: 1, default: './data' }),
  /** Indexer URL: `sqlite://PATH` or `postgresql://…`. @defaultValue `sqlite://<dataDir>/index.db` */
  indexerUrl: Type.Optional(URL_STRING),
  /** Incoming measures URL: `file://DIR` or `redis://…`. @defaultValue `file://<dataDir>` */
  incomingUrl: Type.Optional(URL_STRING),
  /**
   * File incoming store: flush each batch (and its folders) to disk before answering 202, so that
   * a power loss cannot lose an accepted measure. @defaultValue `true`
   */
  incomingFsync: Type.Boolean({ default: true }),
  /** Aggregate storage URL: `file://DIR` or `redis://…`. @defaultValue `file://<dataDir>` */
  storageUrl: Type.Optional(URL_STRING),
  /**
   * File storage: flush split and raw files to disk before the incoming batches they came from are
   * deleted, so that a power loss cannot lose processed measures. @defaultValue `true`
   */
  storageFsync: Type.Boolean({ default: true }),
  /** `local` (one machine) or `redis://…`. @defaultValue `local` */
  coordinationUrl: Type.String({ minLength: 1, default: 'local' }),
  /** Sacks created by `orzo upgrade` (fixed afterwards). @defaultValue `128` */
  sacks: Type.Integer({ minimum: 1, maximum: 65535, default: 128 }),
  api: Type.Intersect([API_CONFIG], { default: {} }),
  metricd: Type.Intersect([METRICD_CONFIG], { default: {} }),
  archivePolicy: Type.Intersect([ARCHIVE_POLICY_CONFIG], { default: {} }),
  ops: Type.Intersect([OPS_CONFIG], { default: {} }),
  log: Type.Intersect([LOG_CONFIG], { default: {} }),
  statsd: Type.Intersect([STATSD_CONFIG], { default: {} }),
  graphite: Type.Intersect([GRAPHITE_CONFIG], { default: {} }),
  agent: Type.Intersect([AGENT_CONFIG], { default: {} }),
  poller: Type.Intersect([POLLER_CONFIG], { default: {} }),
});

type RawEngineConfig = Static<typeof ENGINE_CONFIG_SCHEMA>;

/**
 * The validated, frozen configuration; backend URLs are always resolved, and read into `backends`,
 * which is what the factories take.
 */
export type EngineConfig = Readonly<
  Omit<
    RawEngineConfig,
    | 'indexerUrl'
    | 'incomingUrl'
    | 'storageUrl'
    | 'api'
    | 'metricd'
    | 'ops'
    | 'statsd'
    | 'graphite'
    | 'agent'
    | 'poller'
  > & {
    readonly indexerUrl: string;
    readonly incomingUrl: string;
    readonly storageUrl: string;
    readonly backends: BackendTargets;
    readonly api: Readonly<Static<typeof API_CONFIG>>;
    readonly metricd: Readonly<Static<typeof METRICD_CONFIG>>;
    readonly archivePolicy: Readonly<Static<typeof ARCHIVE_POLICY_CONFIG>>;
    readonly ops: Readonly<Static<typeof OPS_CONFIG>>;
    readonly statsd: Readonly<Static<typeof STATSD_CONFIG>>;
    readonly graphite: Readonly<Static<typeof GRAPHITE_CONFIG>>;
    readonly agent: Readonly<Static<typeof AGENT_CONFIG>>;
    readonly poller: Readonly<Static<typeof POLLER_CONFIG>>;
  }
>;
/** The API's slice of the configuration. */
export type ApiConfig = EngineConfig['api'];
/** metricd's slice of the configuration. */
export type MetricdConfig = EngineConfig['metricd'];
/** The archive policies' slice of the configuration. */
export type ArchivePolicyConfig = EngineConfig['archivePolicy'];
/** The op tracker's slice of the configuration. */
export type OpsConfig = EngineConfig['ops'];
/** The statsd listener's slice. */
export type StatsdConfig = EngineConfig['statsd'];
/** The Graphite listener's slice. */
export type GraphiteConfig = EngineConfig['graphite'];
/** The host agent's slice. */
export type AgentConfig = EngineConfig['agent'];
/** The `log` slice. */
export type LogConfig = EngineConfig['log'];

/** A partial configuration, as one layer gives it. */
export type ConfigLayer = Record<string, unknown>;

/** Command-line flags every command understands, and the config key each one sets. */
const FLAGS = {
  'data-dir': 'dataDir',
  indexer: 'indexerUrl',
  incoming: 'incomingUrl',
  storage: 'storageUrl',
  coordination: 'coordinationUrl',
  sacks: 'sacks',
  host: 'api.host',
  port: 'api.port',
  auth: 'api.auth',
  'protected-mode': 'api.protectedMode',
  workers: 'metricd.workers',
} as const;

// NOTE: flags outside this list stay `strict: false` so that each command can take its own.
const FLAG_OPTIONS = Object.fromEntries(
  [...Object.keys(FLAGS), 'config'].map((name) => [name, { type: 'string' as const }]),
);

/** Where {@link loadConfig} reads its layers from. */
export interface LoadConfigOptions {
  /** Command-line arguments after the command name. */
  readonly argv?: readonly string[];
  /**
   * Flags of the commands themselves that take a value (`--url URL`); they land in `extraFlags`.
   * Other flags that are not config keys are booleans. @defaultValue none
   */
  readonly valueFlags?: readonly string[];
  /** Environment variables. @defaultValue `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads a config file. @defaultValue `fs.readFileSync` as UTF-8 */
  readonly readFile?: (path: string) => string;
}

/** The flags and positional arguments left once the config flags have been taken. */
export interface LoadedConfig {
  readonly config: EngineConfig;
  readonly positionals: readonly string[];
  /** Flags that are not config keys, for the command itself to interpret. */
  readonly extraFlags: Readonly<Record<string, string | boolean | undefined>>;
}

/** Builds the configuration from defaults, the config file, `ORZO_*` variables and flags. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const { flagLayer, configPath, positionals, extraFlags } = parseFlags(
    options.argv ?? [],
    options.valueFlags ?? [],
  );
  const path = configPath ?? env.ORZO_CONFIG;
  const layers = [
    path === undefined ? {} : readConfigFile(path, readFile),
    envLayer(env),
    flagLayer,
  ];
  return { config: resolveConfig(layers), positionals, extraFlags };
}

/** Validates merged layers against the schema, fills defaults and derived URLs, and freezes. */
export function resolveConfig(layers: readonly ConfigLayer[]): EngineConfig {
  const merged = layers.reduce<ConfigLayer>((acc, layer) => deepMerge(acc, layer), {});
  const stray = unknownSetting(merged, ENGINE_CONFIG_SCHEMA, '');
  if (stray !== undefined) {
    throw new ConfigError(`invalid configuration at ${stray}: unknown setting`, { path: stray });
  }
  const withDefaults = Value.Default(ENGINE_CONFIG_SCHEMA, Value.Clone(merged));
  const converted = Value.Convert(ENGINE_CONFIG_SCHEMA, withDefaults);
  const errors = [...Value.Errors(ENGINE_CONFIG_SCHEMA, converted)].slice(0, 5);
  const first = errors[0];
  if (first !== undefined) {
    const where = first.path === '' ? 'config' : first.path;
    const choices = literalChoices(first.schema);
    const message =
      choices === undefined
        ? first.message
        : `must be one of ${choices.join(', ')} (got ${JSON.stringify(first.value)})`;
    throw new ConfigError(`invalid configuration at ${where}: ${message}`, { path: where });
  }
  const raw = converted as RawEngineConfig;
  const unknown = raw.archivePolicy.defaultAggregationMethods.find((m) => !isAggregationMethod(m));
  if (unknown !== undefined) {
    const path = '/archivePolicy/defaultAggregationMethods';
    throw new ConfigError(`invalid configuration at ${path}: unknown method '${unknown}'`, {
      path,
    });
  }
  if (raw.poller.enabled && raw.poller.secret === undefined) {
    const path = '/poller/secret';
    throw new ConfigError(
      `invalid configuration at ${path}: required when the poller is enabled (ORZO_POLLER_SECRET)`,
      { path },
    );
  }
  if (raw.metricd.minBlockSize > raw.metricd.maxBlockSize) {
    const path = '/metricd/minBlockSize';
    throw new ConfigError(`invalid configuration at ${path}: larger than maxBlockSize`, { path });
  }
  if (raw.metricd.reporterGraceSeconds < 2 * raw.metricd.beaconSeconds) {
    // NOTE: a grace shorter than two beacons would depose a healthy reporter on one late beacon.
    const path = '/metricd/reporterGraceSeconds';
    throw new ConfigError(`invalid configuration at ${path}: less than twice beaconSeconds`, {
      path,
    });
  }
  const { dataDir } = raw;
  const indexerUrl = raw.indexerUrl ?? `sqlite://${join(dataDir, 'index.db')}`;
  const incomingUrl = raw.incomingUrl ?? `file://${dataDir}`;
  const storageUrl = raw.storageUrl ?? `file://${dataDir}`;
  const backends: BackendTargets = {
    indexer: parseIndexerUrl(indexerUrl),
    incoming: parseDataBackendUrl(incomingUrl, 'incomingUrl', { fsync: raw.incomingFsync }),
    storage: parseDataBackendUrl(storageUrl, 'storageUrl', { fsync: raw.storageFsync }),
    coordination: parseCoordinationUrl(raw.coordinationUrl),
  };
  return deepFreeze({ ...raw, indexerUrl, incomingUrl, storageUrl, backends });
}

/** The configuration as it may be shown: credentials inside URLs are masked. */
export function redactConfig(config: EngineConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(config, (key, value: unknown) => {
      if (typeof value !== 'string') return value;
      return /(password|secret)$/i.test(key) ? '***' : redactUrl(value);
    }),
  ) as Record<string, unknown>;
}

function parseFlags(
  argv: readonly string[],
  valueFlags: readonly string[],
): {
  flagLayer: ConfigLayer;
  configPath: string | undefined;
  positionals: string[];
  extraFlags: Record<string, string | boolean | undefined>;
} {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(valueFlags.map((name) => [name, { type: 'string' as const }])),
        ...FLAG_OPTIONS,
      },
      strict: false,
      allowPositionals: true,
    });
  } catch (error) {
    throw new ConfigError(`invalid command line: ${(error as Error).message}`, { path: 'argv' });
  }
  const flagLayer: ConfigLayer = {};
  const extraFlags: Record<string, string | boolean | undefined> = {};
  let configPath: string | undefined;
  for (const [name, value] of Object.entries(parsed.values)) {
    const key = (FLAGS as Record<string, string | undefined>)[name];
    if (name === 'config') configPath = requireFlagValue(name, value);
    else if (key === undefined) extraFlags[name] = value;
    else setPath(flagLayer, key.split('.'), requireFlagValue(name, value));
  }
  return { flagLayer, configPath, positionals: parsed.positionals, extraFlags };
}

function requireFlagValue(name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new ConfigError(`flag --${name} needs a value (--${name}=VALUE)`, { path: name });
  }
  return value;
}

function readConfigFile(path: string, readFile: (path: string) => string): ConfigLayer {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}`, { path, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON`, { path, cause: error });
  }
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`, { path });
  }
  return parsed;
}

/** Maps every `ORZO_*` variable that names a schema key onto the config shape. */
function envLayer(env: Readonly<Record<string, string | undefined>>): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const { path, schema } of schemaLeaves(ENGINE_CONFIG_SCHEMA, [])) {
    const name = `ORZO_${path.map(toScreamingSnake).join('_')}`;
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(layer, path, isArraySchema(schema) ? listOf(name, schema, value) : value);
  }
  return layer;
}

/** The path of the first key of `layer` that the schema does not know, if any. */
function unknownSetting(layer: unknown, schema: TObject, path: string): string | undefined {
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) return undefined;
  for (const [key, value] of Object.entries(layer)) {
    const child = schema.properties[key];
    if (child === undefined) return `${path}/${key}`;
    const object = asObjectSchema(child);
    const found =
      object === undefined ? undefined : unknownSetting(value, object, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The allowed values of a union of literals (`--auth basic|noauth|remoteuser|verified`), if it is one. */
function literalChoices(schema: TSchema): readonly string[] | undefined {
  const anyOf = (schema as { anyOf?: readonly { const?: unknown }[] }).anyOf;
  if (anyOf === undefined || anyOf.some((member) => member.const === undefined)) return undefined;
  return anyOf.map((member) => String(member.const));
}

function schemaLeaves(schema: TObject, prefix: string[]): { path: string[]; schema: TSchema }[] {
  return Object.entries(schema.properties).flatMap(([key, child]) => {
    const object = asObjectSchema(child);
    return object === undefined
      ? [{ path: [...prefix, key], schema: child }]
      : schemaLeaves(object, [...prefix, key]);
  });
}

function asObjectSchema(schema: TSchema): TObject | undefined {
  if (schema.type === 'object') return schema as TObject;
  const allOf = (schema as { allOf?: TSchema[] }).allOf;
  const first = allOf?.[0];
  return first?.type === 'object' ? (first as TObject) : undefined;
}

function isArraySchema(schema: TSchema): boolean {
  return schema.type === 'array';
}

/** A list variable: JSON for a list of objects (`ORZO_GRAPHITE_RULES`), else comma-separated. */
function listOf(name: string, schema: TSchema, value: string): unknown {
  if ((schema as { items?: TSchema }).items?.type !== 'object') return splitList(value);
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new ConfigError(`${name} is not valid JSON`, { path: name, cause: error });
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function toScreamingSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function setPath(target: ConfigLayer, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = isPlainObject(target[head]) ? target[head] : {};
  target[head] = child;
  setPath(child, rest, value);
}

function deepMerge(base: ConfigLayer, over: ConfigLayer): ConfigLayer {
  const out: ConfigLayer = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] = isPlainObject(prior) && isPlainObject(value) ? deepMerge(prior, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is ConfigLayer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
