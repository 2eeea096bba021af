/**
 * Prometheus figures of this process's op tracker. Counts are taken when scraped (nothing is
 * counted on the hot path); durations are counted as ops finish, by a histogram of this module's
 * own (`duration-histogram.ts`), at the cost of a bucket search and three additions. With
 * tracking off the slow-op gauges are left out
 * rather than reported as 0: nothing is known, which is not the same as nothing slow.
 */
import { Gauge, type Registry } from 'prom-client';

import type { OpTracker } from '../../optracker/index.ts';
import { DurationHistogram } from './duration-histogram.ts';

/** Bucket bounds of `orzo_op_duration_seconds`, from 1 ms (a cached read) to a minute. */
export const OP_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** The op duration histogram, fed until stopped. */
export interface OpDurations {
  /** `orzo_op_duration_seconds{kind}` in the text exposition format. */
  exposition(): string;
  /** Stops feeding it. */
  stop(): void;
}

/**
 * Registers `orzo_ops_in_flight{kind}`, `orzo_slow_ops` and `orzo_oldest_slow_op_age_seconds`,
 * and starts `orzo_op_duration_seconds{kind}`, which is written out beside the registry's own.
 */
export function registerOpMetrics(registry: Registry, tracker: OpTracker): OpDurations {
  const registers = [registry];
  new Gauge({
    name: 'orzo_ops_in_flight',
    help: 'Ops in flight in this process, by kind',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const [kind, count] of tracker.inFlightByKind()) this.set({ kind }, count);
    },
  });
  new Gauge({
    name: 'orzo_slow_ops',
    help: 'Ops of this process in flight for at least ops.complaintTimeSeconds',
    registers,
    collect() {
      const health = tracker.health();
      if (health.enabled) this.set(health.slowOps);
      else this.remove();
    },
  });
  new Gauge({
    name: 'orzo_oldest_slow_op_age_seconds',
    help: 'Age of the oldest slow op of this process, 0 when none is slow',
    registers,
    collect() {
      const health = tracker.health();
      if (health.enabled) this.set(health.oldestSlowAgeSeconds ?? 0);
      else this.remove();
    },
  });
  const durations = new DurationHistogram({
    name: 'orzo_op_duration_seconds',
    help: 'Duration of the finished ops of this process, by kind',
    label: 'kind',
    buckets: OP_DURATION_BUCKETS,
  });
  const stop = tracker.onFinish((op, seconds) => {
    durations.observe(op.kind, seconds);
  });
  return { exposition: () => durations.exposition(), stop };
}
