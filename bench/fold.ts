/**
 * Figures for folding new measures into a metric: sort the batch, merge it into the
 * BoundTimeSerie, and compute the touched buckets of 6 methods × 2 granularities.
 */
import { BoundTimeSerie } from '../src/carbonara/bound-time-serie.ts';
import { recomputeBuckets } from '../src/carbonara/recompute-buckets.ts';
import { sortMeasures } from '../src/carbonara/measures.ts';
import { MICROS_PER_SECOND as S } from '../src/carbonara/series.ts';
import { mulberry32 } from '../test/support/mulberry32.ts';

const METHODS = ['mean', 'min', 'max', 'sum', 'std', 'count'];
const GRANULARITIES = [60 * S, 3600 * S];
const AGGREGATIONS = GRANULARITIES.flatMap((granularity) =>
  METHODS.map((method) => ({ granularity, method })),
);
const START = Date.UTC(2026, 0, 1) * 1000;
const STEP = 10 * S;

/** Folds `batches` consecutive batches of `batchSize` points, one every 10 s; returns points/s. */
function foldRun(batchSize: number, batches: number, shuffled: boolean): number {
  const next = mulberry32(batchSize);
  const inputs = Array.from({ length: batches }, (_unused, b) => {
    const timestamps = new Float64Array(batchSize);
    const values = new Float64Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      timestamps[i] = START + (b * batchSize + i) * STEP;
      values[i] = Math.round(next() * 1000) / 10;
    }
    if (shuffled) timestamps.reverse();
    return { timestamps, values };
  });
  let bound = BoundTimeSerie.empty({ blockSize: 3600 * S, backWindow: 0 });
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (const { timestamps, values } of inputs) {
    const update = bound.setValues(sortMeasures(timestamps, values));
    const aggregates = recomputeBuckets(update.merged, AGGREGATIONS, update.recomputeFrom);
    for (const series of aggregates) checksum += series.values.length;
    bound = update.bound;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (checksum === 0) throw new Error('nothing was aggregated');
  return (batchSize * batches) / seconds;
}

/** Best of several runs after a warm-up, for in-order and for reversed batches. */
export function measureFold(): Record<string, unknown> {
  const shapes = [
    { batchSize: 60, batches: 2000 },
    { batchSize: 360, batches: 500 },
    { batchSize: 5000, batches: 40 },
    { batchSize: 100_000, batches: 4 },
  ];
  const figures: Record<string, unknown> = {};
  for (const { batchSize, batches } of shapes) {
    for (const shuffled of [false, true]) {
      foldRun(batchSize, batches, shuffled);
      const best = Math.max(
        ...Array.from({ length: 5 }, () => foldRun(batchSize, batches, shuffled)),
      );
      figures[`batch_${batchSize}${shuffled ? '_unsorted' : ''}_points_per_s`] = Math.round(best);
    }
  }
  return {
    methods: METHODS,
    granularities_s: GRANULARITIES.map((g) => g / S),
    point_interval_s: STEP / S,
    ...figures,
  };
}
