/**
 * The aggregation methods applied to grouped points, bucket by bucket, with Gnocchi's semantics:
 * `count` is a float; `std` is the sample deviation (n − 1) and omits single-point buckets;
 * `median` averages the two middle values; `NNpct` interpolates linearly between the two closest
 * ranks (numpy's "linear"); `min` ignores NaN unless every value is NaN, while `max`, `sum`,
 * `mean` and `std` propagate it (numpy's argsort puts NaN last). Sums add left to right, in
 * timestamp order, as numpy's `bincount` does, so results match to the bit.
 */
import { type AggregationMethod, type BasicAggregationMethod } from './aggregation-method.ts';
import { type GroupedSeries } from './grouped-series.ts';
import { type Series } from './series.ts';

type BucketFunction = (values: Float64Array, from: number, to: number) => number;

type SimpleMethod = Exclude<BasicAggregationMethod, 'std' | 'median'>;

const BUCKET_FUNCTIONS: Readonly<Record<SimpleMethod, BucketFunction>> = {
  mean: (values, from, to) => sum(values, from, to) / (to - from),
  sum,
  count: (_values, from, to) => to - from,
  first: (values, from) => values[from] as number,
  last: (values, _from, to) => values[to - 1] as number,
  min,
  max,
};

/** Applies the basic or percentile part of `method` (never its rate) to every bucket. */
export function reduceBuckets(grouped: GroupedSeries, method: AggregationMethod): Series {
  switch (method.kind) {
    case 'std':
      return aggregateStd(grouped);
    case 'median':
      return aggregateSorted(
        grouped,
        (sorted, n) => ((sorted[(n - 1) >> 1] as number) + (sorted[n >> 1] as number)) / 2,
      );
    case 'pct': {
      const q = method.percentile / 100;
      return aggregateSorted(grouped, (sorted, n) => percentile(sorted, n, q));
    }
    default:
      return aggregateEach(grouped, BUCKET_FUNCTIONS[method.kind]);
  }
}

function aggregateEach(grouped: GroupedSeries, fn: BucketFunction): Series {
  const { buckets, offsets, values } = grouped;
  const out = new Float64Array(buckets.length);
  for (let b = 0; b < buckets.length; b++) {
    out[b] = fn(values, offsets[b] as number, offsets[b + 1] as number);
  }
  return { timestamps: buckets, values: out };
}

function aggregateStd(grouped: GroupedSeries): Series {
  const { buckets, offsets, values } = grouped;
  const timestamps = new Float64Array(buckets.length);
  const out = new Float64Array(buckets.length);
  let k = 0;
  for (let b = 0; b < buckets.length; b++) {
    const from = offsets[b] as number;
    const to = offsets[b + 1] as number;
    const n = to - from;
    if (n < 2) continue;
    const mean = sum(values, from, to) / n;
    let squares = 0;
    for (let i = from; i < to; i++) {
      const d = (values[i] as number) - mean;
      squares += d * d;
    }
    timestamps[k] = buckets[b] as number;
    out[k++] = Math.sqrt(squares / (n - 1));
  }
  return { timestamps: timestamps.subarray(0, k), values: out.subarray(0, k) };
}

function aggregateSorted(
  grouped: GroupedSeries,
  pick: (sorted: Float64Array, n: number) => number,
): Series {
  const { buckets, offsets, values } = grouped;
  const out = new Float64Array(buckets.length);
  let scratch = new Float64Array(16);
  for (let b = 0; b < buckets.length; b++) {
    const from = offsets[b] as number;
    const n = (offsets[b + 1] as number) - from;
    if (n > scratch.length) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    scratch.set(values.subarray(from, from + n));
    // NOTE: a typed array's default sort is numeric with NaN last, as numpy's.
    out[b] = pick(scratch.subarray(0, n).sort(), n);
  }
  return { timestamps: buckets, values: out };
}

function percentile(sorted: Float64Array, n: number, q: number): number {
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return sorted[lo] as number;
  return (sorted[lo] as number) * (hi - pos) + (sorted[hi] as number) * (pos - lo);
}

function sum(values: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let i = from; i < to; i++) total += values[i] as number;
  return total;
}

function min(values: Float64Array, from: number, to: number): number {
  let best = values[from] as number;
  for (let i = from + 1; i < to; i++) {
    const v = values[i] as number;
    // NOTE: NaN sorts last, so it is the minimum only when nothing else is there.
    if (v < best || Number.isNaN(best)) best = v;
  }
  return best;
}

function max(values: Float64Array, from: number, to: number): number {
  let best = values[from] as number;
  for (let i = from + 1; i < to; i++) {
    const v = values[i] as number;
    // NOTE: NaN sorts last, so one NaN makes the maximum NaN.
    if (v > best || Number.isNaN(v)) best = v;
  }
  return best;
}
