/**
 * A scale-out Orzo cluster made of real processes, for tests and benchmarks: a private
 * redis-server (append-only, fsync always) that holds the incoming measures, the coordination
 * (reporter election, block queue, metric locks) and, if asked, the aggregates; a PostgreSQL
 * indexer in a schema of its own; `orzo upgrade` once; then several `orzo metricd` and `orzo api`
 * processes, each on a data folder of its own, so that nothing is shared through files except
 * the storage folder when storage is `file`. Every process logs to a file of the cluster's
 * temporary folder; {@link ClusterTopology.dispose} stops them all, stops Redis, drops the schema
 * and removes the folder (keeping the logs of a run that failed).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import { request } from './aggregate-workload.ts';
import {
  freePort,
  launchMetricd,
  launchOrzo,
  runOrzo,
  type MetricdChild,
  type OrzoChild,
} from './orzo-process.ts';
import { createTestSchema, dropTestSchema, TEST_POSTGRESQL_URL } from './postgresql.ts';
import { privateRedisServer, type RedisServer } from './redis.ts';

/**
 * Short coordination timings, so that failovers and re-runs happen within seconds: reporter
 * grace 2 s, beacons every 0.5 s, BullMQ's block lock 2 s, metric lock lease 3 s, ticks of 0.5 s.
 */
export const SHORT_TIMINGS: Readonly<Record<string, string>> = {
  ORZO_METRICD_REPORTER_GRACE_SECONDS: '2',
  ORZO_METRICD_BEACON_SECONDS: '0.5',
  ORZO_METRICD_JOB_LOCK_SECONDS: '2',
  ORZO_METRICD_LOCK_LEASE_SECONDS: '3',
  ORZO_METRICD_TICK_SECONDS: '0.5',
};

/** Where the aggregates live. */
export type ClusterStorage = 'redis' | 'file';

/** Options of {@link startClusterTopology}. */
export interface ClusterTopologyOptions {
  /** `redis`: in the private Redis; `file`: one folder every process shares. */
  readonly storage: ClusterStorage;
  /** `orzo metricd` processes. @defaultValue `3` */
  readonly metricds?: number;
  /** Worker processes of each metricd. @defaultValue `2` */
  readonly workers?: number;
  /** `orzo api` processes. @defaultValue `2` */
  readonly apis?: number;
  /** Environment of every process, over {@link SHORT_TIMINGS}. @defaultValue none */
  readonly env?: Readonly<Record<string, string>>;
}

/** One reporter in `/v1/status`'s `metricd.reporters`. */
export interface ReporterJson {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly last_beacon: string;
  readonly active_since?: string;
}

/** One worker in `/v1/status`'s `metricd.statistics`. */
export interface WorkerStatisticsJson {
  readonly pid: number | null;
  readonly alive: boolean;
  readonly 'current block': number;
  readonly 'blocks processed': number;
  readonly 'blocks re-run'?: number;
  readonly 'processed measures': number;
  readonly errors: number;
  readonly restarts: number;
}

/** The parts of `/v1/status` the cluster tests read. */
export interface ClusterStatus {
  readonly storage: { readonly summary: { readonly metrics: number; readonly measures: number } };
  readonly metricd: {
    readonly processors: string[] | null;
    readonly statistics: Record<string, WorkerStatisticsJson>;
    readonly reporter?: {
      readonly name: string;
      readonly pid: number;
      readonly alive: boolean;
      readonly updated_at: string;
    };
    readonly reporters?: {
      readonly epoch: number;
      readonly active: ReporterJson | null;
      readonly standbys: readonly ReporterJson[];
    };
    readonly queue?: {
      readonly waiting: number;
      readonly active: number;
      readonly stalled: number;
      readonly completed: number;
      readonly failed: number;
    };
  };
}

/** A running cluster. */
export interface ClusterTopology {
  readonly redis: RedisServer;
  /** The temporary folder of the data folders, the storage folder and the logs. */
  readonly root: string;
  /** The backend flags every command of the cluster takes. */
  readonly flags: readonly string[];
  /** The environment every process of the cluster runs with. */
  readonly env: Readonly<Record<string, string>>;
  readonly apis: readonly OrzoChild[];
  /** Every metricd started, as each became ready; killed ones stay listed (`hasExited()`). */
  readonly metricds: readonly MetricdChild[];
  /** Runs `orzo <args>` with the cluster's flags and environment (`metricd fail`, …). */
  runOrzo(args: readonly string[]): string;
  /** Starts one more metricd on a data folder of its own. */
  addMetricd(): Promise<MetricdChild>;
  /** `/v1/status` (without per-metric details) through API number `api`. */
  status(api?: number): Promise<ClusterStatus>;
  /**
   * Polls `/v1/status` every 100 ms until `check` holds; returns that status. Throws after
   * `timeoutMs`, with the last status, naming `what` it waited for.
   */
  untilStatus(
    what: string,
    check: (status: ClusterStatus) => boolean,
    options?: { readonly timeoutMs?: number; readonly api?: number },
  ): Promise<ClusterStatus>;
  /** Warnings, errors and the last lines of every process's log, for a failure message. */
  logDigest(): string;
  /** Runs `work`; if it throws, prints {@link logDigest} and keeps the logs folder. */
  explainFailure<T>(work: () => Promise<T>): Promise<T>;
  /** Stops every process and Redis, drops the schema, removes the folder (logs kept on failure). */
  dispose(): Promise<void>;
}

const DEFAULT_STATUS_TIMEOUT_MS = 30_000;
const DIGEST_LINES_PER_PROCESS = 25;
/** pino's `warn`. */
const WARN_LEVEL = 40;

/** Starts the whole cluster; waits until every metricd has started and every API answers. */
export async function startClusterTopology(
  options: ClusterTopologyOptions,
): Promise<ClusterTopology> {
  const cleanups: (() => Promise<void>)[] = [];
  const root = mkdtempSync(join(tmpdir(), 'orzo-cluster-'));
  const logs = join(root, 'logs');
  mkdirSync(logs);
  let failed = false;
  cleanups.push(() => {
    if (failed) {
      for (const entry of readdirSync(root)) {
        if (entry !== 'logs') rmSync(join(root, entry), { recursive: true, force: true });
      }
    } else {
      rmSync(root, { recursive: true, force: true });
    }
    return Promise.resolve();
  });
  const dispose = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cluster cleanup failed');
  };
  try {
    const backends = await startBackends(options.storage, root, cleanups);
    const env = { ...SHORT_TIMINGS, ...options.env };
    const { flags } = backends;
    runOrzo(['upgrade', '--data-dir', dataDir(root, 'upgrade'), ...flags], { env });
    const metricds: MetricdChild[] = [];
    const workers = String(options.workers ?? 2);
    let started = 0;
    const addMetricd = async (): Promise<MetricdChild> => {
      const name = `metricd-${started++}`;
      const child = await launchMetricd({
        dataDir: dataDir(root, name),
        flags: [...flags, '--workers', workers],
        env,
        logFile: join(logs, `${name}.log`),
      });
      metricds.push(child);
      cleanups.push(() => child.stop());
      return child;
    };
    const launchApi = async (index: number): Promise<OrzoChild> => {
      const name = `api-${index}`;
      const child = await launchOrzo('api', {
        dataDir: dataDir(root, name),
        port: await freePort(),
        flags,
        env,
        logFile: join(logs, `${name}.log`),
      });
      cleanups.push(() => child.stop());
      return child;
    };
    const apiCount = options.apis ?? 2;
    const [apis] = await Promise.all([
      Promise.all(Array.from({ length: apiCount }, (_, i) => launchApi(i))),
      ...Array.from({ length: options.metricds ?? 3 }, addMetricd),
    ]);
    const status = async (api = 0): Promise<ClusterStatus> =>
      (await request(apis[api]!.url, 'GET', '/v1/status?details=false')) as ClusterStatus;
    const logDigest = (): string => digestLogs(logs);
    return {
      redis: backends.redis,
      root,
      flags,
      env,
      apis,
      metricds,
      runOrzo: (args) => runOrzo([...args, '--data-dir', dataDir(root, 'cli'), ...flags], { env }),
      addMetricd,
      status,
      untilStatus: (what, check, { timeoutMs = DEFAULT_STATUS_TIMEOUT_MS, api = 0 } = {}) =>
        untilStatus(() => status(api), what, check, timeoutMs),
      logDigest,
      explainFailure: async (work) => {
        try {
          return await work();
        } catch (error) {
          failed = true;
          process.stderr.write(`${logDigest()}\nlogs kept in ${logs}\n`);
          throw error;
        }
      },
      dispose,
    };
  } catch (error) {
    failed = true;
    process.stderr.write(`${digestLogs(logs)}\nlogs kept in ${logs}\n`);
    await dispose().catch(() => undefined);
    throw error;
  }
}

/** The private Redis and the PostgreSQL schema, and the flags that name them. */
async function startBackends(
  storage: ClusterStorage,
  root: string,
  cleanups: (() => Promise<void>)[],
): Promise<{ redis: RedisServer; flags: string[] }> {
  const redis = await privateRedisServer();
  cleanups.push(() => redis.dispose());
  await redis.start();
  const admin = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
  await admin.connect();
  let schema;
  try {
    schema = await createTestSchema(admin, 'orzo_cluster');
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
    await dropper.connect();
    try {
      await dropTestSchema(dropper, schema.schema);
    } finally {
      await dropper.end();
    }
  });
  // NOTE: one Redis, three key spaces; the random part keeps runs apart in the AOF's history too.
  const run = `orzo-cluster-${randomBytes(4).toString('hex')}:`;
  const storageUrl =
    storage === 'redis' ? `${redis.url}?prefix=${run}st:` : `file://${dataDir(root, 'storage')}`;
  const flags = [
    '--indexer',
    schema.url,
    '--incoming',
    `${redis.url}?prefix=${run}in:`,
    '--storage',
    storageUrl,
    '--coordination',
    `${redis.url}?prefix=${run}co:`,
  ];
  return { redis, flags };
}

function dataDir(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function untilStatus(
  read: () => Promise<ClusterStatus>,
  what: string,
  check: (status: ClusterStatus) => boolean,
  timeoutMs: number,
): Promise<ClusterStatus> {
  const deadline = performance.now() + timeoutMs;
  let last: ClusterStatus | undefined;
  let lastError: Error | undefined;
  for (;;) {
    try {
      last = await read();
      if (check(last)) return last;
    } catch (error) {
      // NOTE: e.g. a 503 while Redis restarts; the deadline bounds the wait.
      lastError = error instanceof Error ? error : new Error(JSON.stringify(error));
    }
    if (performance.now() > deadline) {
      throw new Error(
        `no ${what} within ${timeoutMs} ms; last status ${JSON.stringify(last?.metricd)}` +
          (lastError === undefined ? '' : `; last error ${lastError.message}`),
      );
    }
    await sleep(100);
  }
}

/** For each log: its warnings and errors and its last lines, at most a few dozen lines. */
function digestLogs(logs: string): string {
  const parts: string[] = [];
  for (const file of readdirSync(logs).sort()) {
    const lines = readFileSync(join(logs, file), 'utf8').split('\n').filter(Boolean);
    const notable = lines.filter((line, i) => i >= lines.length - 5 || isNotable(line));
    const shown = notable.slice(-DIGEST_LINES_PER_PROCESS);
    parts.push(`--- ${file} (${lines.length} lines, ${shown.length} shown)`, ...shown);
  }
  return parts.join('\n');
}

/** A warning or worse, or anything that is not a pino line (a crash's stack trace). */
function isNotable(line: string): boolean {
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return typeof level !== 'number' || level >= WARN_LEVEL;
  } catch {
    return true;
  }
}
