/**
 * `npm run bench:pass`: metricd's processing alone, in process, on the embedded default (SQLite,
 * file incoming, file storage with fsync, file locks): `--metrics` new metrics on the workload's
 * policy each get one batch of `--points` measures, then one chef folds them all in blocks of
 * `--block` (as the reporter hands them out), `--concurrency` metrics at once. What the API and
 * the reporter cost is left out, so that a change to the pass shows in its own figures.
 *
 * Prints one JSON object: metrics and measures folded per second, CPU milliseconds per metric (in
 * all, in the process and in the kernel on its behalf),
 * the storage driver's flushes (`group-flush.ts`: requests, groups, whole file-system flushes and
 * single paths flushed), and what the steps a pass is made of cost on this file system, measured
 * first in the same folder: microseconds (wall, and CPU) per new folder, per new small file
 * (open, write, close), per new file renamed over an existing one, per `fsync` of a small file,
 * per small file rewritten in place, per open of a missing file (its thrown error included) and
 * per `stat` asking whether it exists, per folder listed on the thread pool and listed
 * synchronously after a yield to the event loop, per file unlinked and per empty folder removed.
 *
 * With `--coordination redis` incoming and the metric locks are in the test Redis (a random key
 * prefix) and the indexer in a fresh schema of the test PostgreSQL, as `bench:e2e` sets them up;
 * storage stays on files. It then also prints what Redis saw during the timed pass, per metric:
 * commands run and reads of its clients' sockets (`INFO stats`: commands sent together in one
 * write are read together, so fewer reads per command means fewer round trips).
 *
 * Options: `--metrics 10000` `--points 60` `--block 1000` `--concurrency 256` (the
 * `metricd.metricConcurrency` default) `--fsync on|off` (on), `--coordination local|redis` (local), `--passes N` (1: fold every metric
 * N − 1 times untimed first, each time with the next `--points` measures, so that the timed pass
 * is that of metrics that already have a pack), `--marks` (ask for the paths of
 * `syscall-marks.ts` around the timed pass, for `bench:pass-syscalls`).
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { createArchivePolicy } from '../src/archive-policy/index.ts';
import { openEngineServices } from '../src/cli/engine-services.ts';
import { runUpgrade } from '../src/cli/upgrade.ts';
import { loadConfig } from '../src/config/index.ts';
import { FileStorageDriver } from '../src/storage/index.ts';
import { keepStringPrototypeFast } from '../src/redis/keep-string-prototype-fast.ts';
import { markEnd, markStart } from './syscall-marks.ts';
import { openBenchBackends } from './bench-backends.ts';
import { checkBenchFileSystem } from './file-system-info.ts';
import { Redis } from 'ioredis';
import { pino } from 'pino';

import { SHARED_REDIS_URL } from '../test/support/redis.ts';

// NOTE: as every orzo process does once its modules are loaded.
keepStringPrototypeFast();

const { values: flags } = parseArgs({
  options: {
    metrics: { type: 'string', default: '10000' },
    points: { type: 'string', default: '60' },
    block: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '256' },
    fsync: { type: 'string', default: 'on' },
    passes: { type: 'string', default: '1' },
    marks: { type: 'boolean', default: false },
    coordination: { type: 'string', default: 'local' },
  },
});
if (!['local', 'redis'].includes(flags.coordination)) throw new Error('--coordination local|redis');
const DISTRIBUTED = flags.coordination === 'redis';
const METRICS = Number(flags.metrics);
const POINTS = Number(flags.points);
const BLOCK = Number(flags.block);
const PASSES = Number(flags.passes);
const START_US = Date.UTC(2026, 0, 1) * 1000;

const dataDir = mkdtempSync(join(tmpdir(), 'orzo-bench-pass-'));
const dataFileSystem = checkBenchFileSystem(dataDir);

/** Wall and CPU microseconds per call of `count` calls that began at `started` with `cpu` used. */
function perCall(
  count: number,
  cpu: NodeJS.CpuUsage,
  started: number,
): { wall_us: number; cpu_us: number } {
  const wall = ((performance.now() - started) * 1000) / count;
  const used = process.cpuUsage(cpu);
  return {
    wall_us: Math.round(wall * 10) / 10,
    cpu_us: Math.round(((used.user + used.system) / count) * 10) / 10,
  };
}

/** Wall and CPU microseconds per call of `step` over `count` calls. */
function costOf(count: number, step: (index: number) => void): { wall_us: number; cpu_us: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < count; index++) step(index);
  return perCall(count, cpu, started);
}

/** Wall and CPU microseconds per call of an asynchronous `step` over `count` calls in turn. */
async function costOfAsync(
  count: number,
  step: (index: number) => Promise<unknown>,
): Promise<{ wall_us: number; cpu_us: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < count; index++) await step(index);
  return perCall(count, cpu, started);
}

/** What the file-system steps of a pass cost here. */
async function fileSystemCosts(): Promise<Record<string, { wall_us: number; cpu_us: number }>> {
  const folder = mkdtempSync(join(dataDir, 'probe-'));
  const count = 2000;
  const bytes = Buffer.alloc(400, 1);
  const writeNew = (path: string): void => {
    const descriptor = openSync(path, 'wx');
    writeSync(descriptor, bytes);
    closeSync(descriptor);
  };
  try {
    return {
      new_folder: costOf(count, (i) => {
        mkdirSync(join(folder, `m${String(i)}`));
      }),
      new_file: costOf(count, (i) => {
        writeNew(join(folder, `m${String(i)}`, 'a'));
      }),
      new_file_renamed_over: costOf(count, (i) => {
        writeNew(join(folder, `m${String(i)}`, 'b'));
        renameSync(join(folder, `m${String(i)}`, 'b'), join(folder, `m${String(i)}`, 'a'));
      }),
      file_rewritten_in_place: costOf(count, (i) => {
        const descriptor = openSync(join(folder, `m${String(i)}`, 'a'), 'r+');
        writeSync(descriptor, bytes, 0, bytes.length, 0);
        closeSync(descriptor);
      }),
      missing_file_opened: costOf(count, (i) => {
        try {
          readFileSync(join(folder, `m${String(i)}`, 'missing'));
        } catch {
          // NOTE: the thrown ENOENT is the cost measured.
        }
      }),
      missing_file_asked: costOf(count, (i) => {
        statSync(join(folder, `m${String(i)}`, 'missing'), { throwIfNoEntry: false });
      }),
      folder_listed_on_thread_pool: await costOfAsync(count, (i) =>
        readdir(join(folder, `m${String(i)}`)),
      ),
      folder_listed_after_a_yield: await costOfAsync(count, async (i) => {
        await setImmediate();
        readdirSync(join(folder, `m${String(i)}`));
      }),
      fsync: costOf(200, (i) => {
        const descriptor = openSync(join(folder, `m${String(i)}`, 'a'), 'r');
        fsyncSync(descriptor);
        closeSync(descriptor);
      }),
      file_unlinked: costOf(count, (i) => {
        unlinkSync(join(folder, `m${String(i)}`, 'a'));
      }),
      empty_folder_removed: costOf(count, (i) => {
        rmdirSync(join(folder, `m${String(i)}`));
      }),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
const fileSystem = await fileSystemCosts();
const fsync = flags.fsync === 'off' ? 'false' : 'true';
const backends = await openBenchBackends({ distributed: DISTRIBUTED, redisStorage: false });
const redisAdmin = DISTRIBUTED ? new Redis(SHARED_REDIS_URL) : undefined;

/** Redis' counters of commands run, socket reads and its CPU seconds, whoever the clients. */
async function redisStats(): Promise<{ commands: number; reads: number; cpu: number } | undefined> {
  if (redisAdmin === undefined) return undefined;
  const text = (await redisAdmin.info('stats')) + (await redisAdmin.info('cpu'));
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1]);
  return {
    commands: field('total_commands_processed'),
    reads: field('total_reads_processed'),
    cpu: field('used_cpu_user') + field('used_cpu_sys'),
  };
}

const { config } = loadConfig({
  argv: ['--data-dir', dataDir, ...backends.flags],
  env: {
    ORZO_METRICD_METRIC_CONCURRENCY: flags.concurrency,
    ORZO_INCOMING_FSYNC: fsync,
    ORZO_STORAGE_FSYNC: fsync,
  },
});
await runUpgrade(config, {
  skipArchivePoliciesCreation: true,
  skipIndex: false,
  skipIncoming: false,
  skipStorage: false,
});
const services = openEngineServices(config, pino({ level: 'error' }));
try {
  const { indexer, incoming, chef, storage } = services;
  await indexer.createArchivePolicy(
    createArchivePolicy(
      {
        name: 'bench',
        aggregation_methods: ['mean', 'min', 'max', 'sum', 'count', 'last'],
        definition: [
          { granularity: '1 minute', timespan: '1 day' },
          { granularity: '1 hour', timespan: '30 days' },
        ],
      },
      { defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods },
    ),
  );
  const ids: string[] = [];
  for (let made = 0; made < METRICS; made++) {
    const id = crypto.randomUUID();
    await indexer.createMetric({ id, archivePolicyName: 'bench', creator: 'bench' });
    ids.push(id);
  }
  /** Folds every metric, in blocks as the reporter hands them out; the measures read. */
  const foldAll = async () => {
    let read = 0;
    for (let at = 0; at < ids.length; at += BLOCK) {
      read += (await chef.processMetrics(ids.slice(at, at + BLOCK))).measuresRead;
    }
    return read;
  };
  const values = Float64Array.from({ length: POINTS }, (_, i) => Math.round(i * 1.7) / 100);
  for (let pass = 0; pass < PASSES; pass++) {
    const first = START_US + pass * POINTS * 10_000_000;
    const timestamps = Float64Array.from({ length: POINTS }, (_, i) => first + i * 10_000_000);
    for (let at = 0; at < ids.length; at += 1000) {
      await incoming.enqueueBatches(
        new Map(ids.slice(at, at + 1000).map((id) => [id, { timestamps, values }])),
      );
    }
    // NOTE: every pass but the last makes the metrics' packs, untimed.
    if (pass < PASSES - 1) await foldAll();
  }

  const redisBefore = await redisStats();
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (flags.marks) markStart();
  const measures = await foldAll();
  if (flags.marks) markEnd();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const redisAfter = await redisStats();
  // NOTE: the INFO calls of the first reading count as two commands and reads.
  const perMetric = (after: number, before: number) =>
    Math.round(((after - before - 2) / METRICS) * 100) / 100;
  const redis =
    redisBefore === undefined || redisAfter === undefined
      ? undefined
      : {
          commands_per_metric: perMetric(redisAfter.commands, redisBefore.commands),
          reads_per_metric: perMetric(redisAfter.reads, redisBefore.reads),
          cpu_ms_per_metric:
            Math.round(((redisAfter.cpu - redisBefore.cpu) / METRICS) * 1000 * 1000) / 1000,
        };
  const driver = storage.driver;
  console.log(
    JSON.stringify(
      {
        node: process.version,
        file_system: dataFileSystem,
        metrics: METRICS,
        points: POINTS,
        block: BLOCK,
        passes: PASSES,
        concurrency: Number(flags.concurrency),
        fsync: flags.fsync !== 'off',
        coordination: flags.coordination,
        seconds: Math.round(seconds * 1000) / 1000,
        metrics_per_s: Math.round(METRICS / seconds),
        measures_per_s: Math.round(measures / seconds),
        cpu_ms_per_metric: Math.round(((used.user + used.system) / 1000 / METRICS) * 1000) / 1000,
        cpu_user_ms_per_metric: Math.round((used.user / 1000 / METRICS) * 1000) / 1000,
        cpu_system_ms_per_metric: Math.round((used.system / 1000 / METRICS) * 1000) / 1000,
        redis,
        storage_flushes: driver instanceof FileStorageDriver ? driver.flushFigures : undefined,
        file_system_steps: fileSystem,
      },
      null,
      2,
    ),
  );
} finally {
  await services.close();
  redisAdmin?.disconnect();
  await backends.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
