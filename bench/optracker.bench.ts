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
 * Options: `--reads N` (20000), `--rounds N` (3).
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { resolveConfig } from '../src/config/index.ts';
import { OpTracker } from '../src/optracker/index.ts';
import { startOrzo } from '../test/support/orzo-process.ts';
import { ADMIN, createBenchMetrics, measureBodies, postMeasureBodies } from './bench-workload.ts';
import { runLoad } from './http-load.ts';
import { cpuSeconds } from './process-figures.ts';

const { values: flags } = parseArgs({
  options: {
    reads: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
  },
});
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
    },
    null,
    2,
  )}\n`,
);
