/**
 * `npm run bench:e2e`: the whole path through HTTP on the embedded default (`orzo serve`: SQLite,
 * file incoming, file storage, file locks; metricd with 2 worker processes), for three shapes:
 * 1,000 metrics × 360 points, 10,000 × 60 and 100 × 36,000, with the workload of
 * `bench-workload.ts` (Gnocchi's benchmark policy, a point every 10 s, batches of 5,000 measures
 * from 8 clients).
 *
 * Per shape it prints: ingest measures/s (until the last 202); drain seconds and processed
 * measures/s (all measures / time from the last 202 to an empty backlog: no metric listed in the
 * incoming sacks, polled every 50 ms, then checked with `/v1/status`); end-to-end measures/s (all measures / time from the first POST to an
 * empty backlog); query p50/p99 of `GET …/measures?granularity=60&aggregation=mean` on random
 * metrics from 8 clients, after `--warmup` unmeasured queries; disk bytes per measure (`du` of the whole data folder, and of its
 * storage folder alone); the CPU seconds the serve process and its workers spent from the first
 * POST to the drained backlog, per million measures, in all and split between the serve process
 * (the API and the reporter) and the workers; the blocks the workers processed and the
 * metrics they skipped because another worker held their lock (`/v1/status`); and the peak
 * resident memory of the serve process and of each worker.
 *
 * Options: `--shapes 1000x360,10000x60,100x36000`, `--workers N` (2), `--concurrency N` (8),
 * `--batch N` (5000), `--queries N` (2000), `--warmup N` (500), `--ops on|off` (op tracking, on),
 * `--coordination local|redis` (local), `--storage file|redis` (file), `--profile DIR` (write a
 * V8 CPU profile of the serve process and of each worker into DIR, as `.cpuprofile` files),
 * `--trace` (also print, every 250 ms from the first POST, the seconds elapsed and the metrics
 * with measures waiting, which shows how far metricd keeps up during the ingest), `--rounds N`
 * (1: post the workload N times to the same server and metrics, each round with the next
 * `points` of every series, and print the ingest, drain and CPU figures of rounds after the first
 * in `later_rounds`; those rounds fold into metrics that have a pack, on a server whose code
 * is compiled, where the first round's figures include both first times; queries, disk and memory
 * are measured after the last round).
 *
 * With `--coordination redis` the same `orzo serve` runs in the distributed mode: incoming
 * measures, locks, the block queue and the reporter election in the test Redis (127.0.0.1:6379,
 * under a random prefix), the indexer in a fresh schema of the test PostgreSQL, storage on files
 * (or in Redis with `--storage redis`, whose bytes are then Redis' `MEMORY USAGE` of its keys).
 */
import { parseDataBackendUrl } from '../src/config/index.ts';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { Incoming, createIncomingDriver } from '../src/ingest/index.ts';
import { startOrzo, type OrzoProcess } from '../test/support/orzo-process.ts';
import { openBenchBackends, type BenchBackends } from './bench-backends.ts';
import {
  ADMIN,
  createBenchMetrics,
  measureBodies,
  postMeasureBodies,
  type Shape,
} from './bench-workload.ts';
import { runLoad } from './http-load.ts';
import { cpuSeconds, peakRssMiB } from './process-figures.ts';
import { checkBenchFileSystem } from './file-system-info.ts';

const { values: flags } = parseArgs({
  options: {
    shapes: { type: 'string', default: '1000x360,10000x60,100x36000' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '8' },
    batch: { type: 'string', default: '5000' },
    queries: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '500' },
    ops: { type: 'string', default: 'on' },
    coordination: { type: 'string', default: 'local' },
    storage: { type: 'string', default: 'file' },
    profile: { type: 'string' },
    trace: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
  },
});
const PROFILE_DIR = flags.profile;
const DISTRIBUTED = flags.coordination === 'redis';
const REDIS_STORAGE = flags.storage === 'redis';
if (REDIS_STORAGE && !DISTRIBUTED) throw new Error('--storage redis needs --coordination redis');
const CONCURRENCY = Number(flags.concurrency);
const BATCH = Number(flags.batch);
const QUERIES = Number(flags.queries);
const WARMUP = Number(flags.warmup);
const ROUNDS = Number(flags.rounds);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`bad --rounds ${flags.rounds}`);
const LOG_FILE = join(tmpdir(), 'orzo-bench-e2e.log');
const SHAPES: Shape[] = flags.shapes.split(',').map((text) => {
  const [metrics, points] = text.split('x').map(Number);
  if (!(Number(metrics) > 0 && Number(points) > 0)) throw new Error(`bad shape ${text}`);
  return { metrics: Number(metrics), points: Number(points) };
});

/**
 * Metrics with measures waiting, as the reporter lists them (one folder listing per sack).
 * `/v1/status` gives the same answer but lists every waiting metric's batches to count measures,
 * which, polled this often, would steal I/O from the workers.
 */
async function waitingMetrics(incoming: Incoming): Promise<number> {
  const sacks = Array.from({ length: await incoming.sackCount() }, (_, sack) => sack);
  const counts = await Promise.all(
    sacks.map(async (sack) => (await incoming.listMetrics(sack)).length),
  );
  return counts.reduce((total, count) => total + count, 0);
}

async function backlogMeasures(url: string): Promise<number> {
  const response = await fetch(`${url}/v1/status?details=false`, { headers: ADMIN });
  const status = (await response.json()) as { storage: { summary: { measures: number } } };
  return status.storage.summary.measures;
}

function duBytes(path: string): number {
  return Number(execFileSync('du', ['-s', '-B1', path], { encoding: 'utf8' }).split('\t')[0]);
}

/** CPU seconds of the serve process (the API and the reporter) and of its worker processes. */
async function serverCpuSeconds(orzo: OrzoProcess): Promise<{ serve: number; workers: number }> {
  const workers = await workerPids(orzo.url);
  return {
    serve: cpuSeconds(orzo.pid),
    workers: workers.reduce((total, pid) => total + cpuSeconds(pid), 0),
  };
}

/** What `/v1/status` says of each worker. */
interface WorkerStatus {
  readonly pid: number | null;
  readonly 'blocks processed'?: number;
  readonly 'locked metrics skipped'?: number;
}

async function workerStatuses(url: string): Promise<WorkerStatus[]> {
  const response = await fetch(`${url}/v1/status?details=false`, { headers: ADMIN });
  const status = (await response.json()) as {
    metricd: { statistics: Record<string, WorkerStatus> };
  };
  return Object.values(status.metricd.statistics);
}

async function workerPids(url: string): Promise<number[]> {
  return (await workerStatuses(url)).flatMap(({ pid }) => (pid === null ? [] : [pid]));
}

/** Blocks the workers processed, and metrics they skipped because their lock was taken. */
async function blockFigures(url: string): Promise<{ blocks: number; skipped: number }> {
  const workers = await workerStatuses(url);
  const sum = (key: 'blocks processed' | 'locked metrics skipped') =>
    workers.reduce((total, worker) => total + (worker[key] ?? 0), 0);
  return { blocks: sum('blocks processed'), skipped: sum('locked metrics skipped') };
}

/** Ingest, drain and CPU of one round of a shape's workload, on metrics that already exist. */
async function measureRound(
  orzo: OrzoProcess,
  backends: BenchBackends,
  shape: Shape,
  ids: readonly string[],
  round: number,
): Promise<Record<string, unknown>> {
  const bodies = measureBodies(ids, shape, BATCH, round);
  const measures = shape.metrics * shape.points;
  const cpuBefore = await serverCpuSeconds(orzo);
  const blocksBefore = await blockFigures(orzo.url);
  const started = performance.now();
  const incoming = new Incoming(
    createIncomingDriver(
      parseDataBackendUrl(backends.incomingUrl(orzo.dataDir), 'incomingUrl', { fsync: false }),
    ),
  );
  const trace: [number, number][] = [];
  const drainedSignal = new AbortController();
  const since = (at: number) => Number(((at - started) / 1000).toFixed(2));
  const tracing = (async () => {
    while (flags.trace && !drainedSignal.signal.aborted) {
      trace.push([since(performance.now()), await waitingMetrics(incoming)]);
      await sleep(250);
    }
  })();
  const ingest = await postMeasureBodies(orzo.url, bodies, CONCURRENCY);
  const ingested = performance.now();
  while ((await waitingMetrics(incoming)) > 0) await sleep(50);
  const drained = performance.now();
  drainedSignal.abort();
  await tracing;
  trace.push([since(drained), 0]);
  await incoming.driver.close();
  if ((await backlogMeasures(orzo.url)) !== 0) throw new Error('backlog left after the drain');
  const drainSeconds = (drained - ingested) / 1000;
  const cpuAfter = await serverCpuSeconds(orzo);
  const perMillion = (seconds: number) => Number(((seconds * 1e6) / measures).toFixed(2));
  const serveCpu = cpuAfter.serve - cpuBefore.serve;
  const workersCpu = cpuAfter.workers - cpuBefore.workers;
  // NOTE: workers report their figures with their heartbeat, once a second.
  await sleep(1_200);
  const blocksAfter = await blockFigures(orzo.url);
  return {
    measures,
    ingest_measures_per_s: Math.round(measures / ingest.seconds),
    ingest_p50_ms: ingest.p50_ms,
    ingest_p99_ms: ingest.p99_ms,
    ingest_errors: ingest.errors,
    drain_s: Number(drainSeconds.toFixed(3)),
    processed_measures_per_s: Math.round(measures / Math.max(drainSeconds, 1e-3)),
    end_to_end_measures_per_s: Math.round(measures / ((drained - started) / 1000)),
    server_cpu_s_per_million_measures: perMillion(serveCpu + workersCpu),
    serve_cpu_s_per_million_measures: perMillion(serveCpu),
    workers_cpu_s_per_million_measures: perMillion(workersCpu),
    blocks: blocksAfter.blocks - blocksBefore.blocks,
    locked_metrics_skipped: blocksAfter.skipped - blocksBefore.skipped,
    ...(flags.trace ? { ingest_s: since(ingested), waiting_metrics_trace: trace } : {}),
  };
}

async function measureShape(
  orzo: OrzoProcess,
  backends: BenchBackends,
  shape: Shape,
): Promise<object> {
  const ids = await createBenchMetrics(orzo.url, shape.metrics, CONCURRENCY);
  const first = await measureRound(orzo, backends, shape, ids, 0);
  const later: Record<string, unknown>[] = [];
  for (let round = 1; round < ROUNDS; round++) {
    later.push({ round, ...(await measureRound(orzo, backends, shape, ids, round)) });
  }
  const measures = shape.metrics * shape.points * ROUNDS;
  const queryLoad = (total: number) =>
    runLoad({
      baseUrl: orzo.url,
      total,
      concurrency: CONCURRENCY,
      expectStatus: 200,
      next: () => ({
        method: 'GET',
        path: `/v1/metric/${ids[Math.floor(Math.random() * ids.length)]}/measures?granularity=60&aggregation=mean`,
        headers: ADMIN,
      }),
    });
  // NOTE: the first reads compile the read path; a server that has run a while is what users meet.
  if (WARMUP > 0) await queryLoad(WARMUP);
  const query = await queryLoad(QUERIES);
  const storage = REDIS_STORAGE
    ? await backends.storageBytes()
    : duBytes(join(orzo.dataDir, 'storage'));
  const disk = duBytes(orzo.dataDir) + (REDIS_STORAGE ? storage : 0);
  return {
    shape: `${shape.metrics} metrics x ${shape.points} points`,
    ...first,
    ...(later.length > 0 ? { later_rounds: later } : {}),
    query_per_s: query.requests_per_s,
    query_p50_ms: query.p50_ms,
    query_p99_ms: query.p99_ms,
    query_errors: query.errors,
    disk_bytes_per_measure: Number((disk / measures).toFixed(2)),
    storage_bytes_per_measure: Number((storage / measures).toFixed(2)),
    peak_rss_mib: {
      serve: peakRssMiB(orzo.pid),
      workers: (await workerPids(orzo.url)).map(peakRssMiB),
    },
  };
}

const results: object[] = [];
const fileSystem = checkBenchFileSystem(tmpdir());
for (const shape of SHAPES) {
  const backends = await openBenchBackends({
    distributed: DISTRIBUTED,
    redisStorage: REDIS_STORAGE,
  });
  try {
    const orzo = await startOrzo('serve', ['--workers', flags.workers, ...backends.flags], {
      logFile: LOG_FILE,
      env: { ORZO_OPS_ENABLED: flags.ops === 'off' ? 'false' : 'true' },
      nodeFlags: PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`],
    });
    try {
      results.push(await measureShape(orzo, backends, shape));
    } finally {
      await orzo.stop();
    }
  } finally {
    await backends.dispose();
  }
}
process.stdout.write(
  `${JSON.stringify(
    {
      node: process.version,
      file_system: fileSystem,
      workers: Number(flags.workers),
      coordination: DISTRIBUTED ? 'redis' : 'local',
      storage: REDIS_STORAGE ? 'redis' : 'file',
      op_tracking: flags.ops !== 'off',
      concurrency: CONCURRENCY,
      batch_measures: BATCH,
      shapes: results,
    },
    null,
    2,
  )}\n`,
);
