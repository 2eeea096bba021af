/**
 * `node --import tsx bench/optracker.bench.ts`: prints one JSON object with how many ops per
 * second the op tracker begins, marks (7 events) and finishes, with tracking on and off.
 *
 * Ops are run in batches, one batch per event-loop turn, as requests and metrics arrive, so that
 * the folding of finished ops into the histories (a microtask after each batch) is counted too.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

import { resolveConfig } from '../src/config/index.ts';
import { OpTracker } from '../src/optracker/index.ts';

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

const on = await measure(true);
const off = await measure(false);
process.stdout.write(
  `${JSON.stringify(
    { node: process.version, events_per_op: EVENTS.length, tracking_on: on, tracking_off: off },
    null,
    2,
  )}\n`,
);
