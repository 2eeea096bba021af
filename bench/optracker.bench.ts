/**
 * `npm run bench:optracker`: prints one JSON object with
 * - how many ops per second the op tracker begins, marks (7 events) and finishes, in process,
 *   with tracking on and off. Ops are run in batches, one batch per event-loop turn, as requests
 *   and metrics arrive, so that the folding of finished ops into the histories (a microtask after
 *   each batch) is counted too;
 * - what tracking costs a read through HTTP: `orzo serve` (embedded default) with 100 metrics of
 *   360 points, then `--reads` requests of `GET /v1/metric/<id>/measures` from 8 clients, and the
 *   CPU microseconds the serve process spent per request (user + system, from `/proc`), with
 *   tracking on and off, `--rounds` times each, alternated. CPU per request is steadier than
 *   requests per second on a shared machine, and is what tracking adds.
 *
 * - the same read in one process, where the noise of a second process and of the HTTP client is
 *   gone: the API and its services built in the bench process on a fresh data folder, metrics
 *   processed through the chef, then `--inject-rounds` pairs of `--inject-reads` `inject`ed reads (8
 *   at a time; the heap collected before each, under `--expose-gc`) with tracking switched on and off on the same app (`OpTracker.setEnabled`), the order
 *   alternating; the CPU microseconds of the process per read, and their difference, which is
 *   what tracking costs a request.
 *
 * Options: `--reads N` (20000), `--rounds N` (3), `--inject-rounds N` (20),
 * `--inject-reads N` (2000).
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { resolveConfig } from '../src/config/index.ts';
import { OpTracker } from '../src/optracker/index.ts';
import { startOrzo } from '../test/support/orzo-process.ts';
import { ADMIN, createBenchMetrics, measureBodies, postMeasureBodies } from './bench-workload.ts';
import { runLoad } from './http-load.ts';
import { cpuSeconds } from './process-figures.ts';
import { openReadApp } from './read-app.ts';

const { values: flags } = parseArgs({
  options: {
    reads: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    'inject-rounds': { type: 'string', default: '20' },
    'inject-reads': { type: 'string', default: '2000' },
  },
});
const INJECT_ROUNDS = Number(flags['inject-rounds']);
const INJECT_READS = Number(flags['inject-reads']);
const READS = Number(flags.reads);
const ROUNDS = Number(flags.rounds);
const CONCURRENCY = 8;

const OPS = 1_000_000;
const BATCH = 100;
const WARMUP_OPS = 100_000;
const EVENTS = [
  'queued',
  'lock_wait',
  'lock_acquired',
  'read_splits',
  'aggregated',
  'written',
  'unlocked',
] as const;

async function runOps(tracker: OpTracker, count: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      const op = tracker.begin('process_metric', 'metric 5c1d');
      for (const event of EVENTS) op.mark(event);
      op.finish();
    }
    await nextTurn();
  }
}

async function measure(enabled: boolean): Promise<{ ops_per_second: number }> {
  const config = resolveConfig([{ ops: { enabled } }]).ops;
  const tracker = new OpTracker({ config, logger: { warn: () => undefined } });
  await runOps(tracker, WARMUP_OPS);
  const started = performance.now();
  await runOps(tracker, OPS);
  const seconds = (performance.now() - started) / 1000;
  tracker.checkSlowOps();
  return { ops_per_second: Math.round(OPS / seconds) };
}

/** Server CPU microseconds per read request, and reads per second, on a fresh `orzo serve`. */
async function measureReads(
  enabled: boolean,
): Promise<{ cpu_us_per_read: number; reads_per_s: number }> {
  const orzo = await startOrzo('serve', ['--workers', '1'], {
    env: { ORZO_OPS_ENABLED: String(enabled) },
  });
  try {
    const shape = { metrics: 100, points: 360 };
    const ids = await createBenchMetrics(orzo.url, shape.metrics, CONCURRENCY);
    await postMeasureBodies(orzo.url, measureBodies(ids, shape, 5000), CONCURRENCY);
    while ((await backlogMetrics(orzo.url)) > 0) await sleep(100);
    const load = (total: number) =>
      runLoad({
        baseUrl: orzo.url,
        total,
        concurrency: CONCURRENCY,
        expectStatus: 200,
        next: (i) => ({
          method: 'GET',
          path: `/v1/metric/${ids[i % ids.length]}/measures?granularity=60&aggregation=mean`,
          headers: ADMIN,
        }),
      });
    await load(Math.ceil(READS / 4));
    const cpuBefore = cpuSeconds(orzo.pid);
    const figures = await load(READS);
    const cpu = cpuSeconds(orzo.pid) - cpuBefore;
    return {
      cpu_us_per_read: Math.round((cpu * 1e6) / READS),
      reads_per_s: figures.requests_per_s,
    };
  } finally {
    await orzo.stop();
  }
}

async function backlogMetrics(url: string): Promise<number> {
  const response = await fetch(`${url}/v1/status?details=false`, { headers: ADMIN });
  const status = (await response.json()) as { storage: { summary: { metrics: number } } };
  return status.storage.summary.metrics;
}

const on = await measure(true);
const off = await measure(false);
const reads: Record<'on' | 'off', { cpu_us_per_read: number; reads_per_s: number }[]> = {
  on: [],
  off: [],
};
for (let round = 0; round < ROUNDS; round++) {
  reads.on.push(await measureReads(true));
  reads.off.push(await measureReads(false));
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const inProcess = await measureReadsInProcess();
const medianOn = median(reads.on.map((round) => round.cpu_us_per_read));
const medianOff = median(reads.off.map((round) => round.cpu_us_per_read));
process.stdout.write(
  `${JSON.stringify(
    {
      node: process.version,
      events_per_op: EVENTS.length,
      tracking_on: on,
      tracking_off: off,
      http_reads: {
        ...reads,
        median_cpu_us_per_read: { on: medianOn, off: medianOff },
        tracking_cost_percent: Math.round((1000 * (medianOn - medianOff)) / medianOff) / 10,
      },
      in_process_reads: inProcess,
    },
    null,
    2,
  )}\n`,
);

/** CPU per injected read with tracking on and off, alternated on one app. */
async function measureReadsInProcess(): Promise<unknown> {
  const app = await openReadApp(CONCURRENCY);
  try {
    const readAll = async (count: number): Promise<number> => {
      const before = process.cpuUsage();
      await app.read(count);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / count;
    };
    const rounds: { on: number; off: number }[] = [];
    for (let round = 0; round < INJECT_ROUNDS; round++) {
      const figures: Partial<Record<'on' | 'off', number>> = {};
      for (const enabled of round % 2 === 0 ? [true, false] : [false, true]) {
        app.tracker.setEnabled(enabled);
        await readAll(500);
        // NOTE: a collection left over from the other setting must not be billed to this one. It
        // runs on a turn of its own: objects a job keeps alive (weak references) are freed only
        // after it, and a heap left to grow makes every later round dearer.
        await sleep(20);
        (globalThis as { gc?: () => void }).gc?.();
        figures[enabled ? 'on' : 'off'] = await readAll(INJECT_READS);
      }
      rounds.push({ on: Math.round(figures.on ?? 0), off: Math.round(figures.off ?? 0) });
    }
    const on = median(rounds.map((round) => round.on));
    const off = median(rounds.map((round) => round.off));
    const differences = rounds.map((round) => round.on - round.off);
    return {
      rounds,
      median_cpu_us_per_read: { on, off },
      median_difference_us: median(differences),
      tracking_cost_percent: Math.round((1000 * median(differences)) / off) / 10,
    };
  } finally {
    await app.close();
  }
}
