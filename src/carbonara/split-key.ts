/**
 * Split keys: an aggregate series of granularity G is stored in splits of {@link POINTS_PER_SPLIT}
 * bucket slots, each keyed by its first slot, a multiple of `G × POINTS_PER_SPLIT` counted from
 * the epoch (Gnocchi's `SplitKey`).
 */
import { roundTimestamp, type Series } from './series.ts';

/** Bucket slots per split, as in Gnocchi. */
export const POINTS_PER_SPLIT = 3600;

/** One split of an aggregate series. */
export interface Split {
  /** The split key (µs). */
  readonly key: number;
  readonly series: Series;
}

/** The key of the split holding `ts` at `granularity` (both µs). */
export function splitKeyFor(ts: number, granularity: number): number {
  return roundTimestamp(ts, granularity * POINTS_PER_SPLIT);
}

/** The key of the split after `key`. */
export function nextSplitKey(key: number, granularity: number): number {
  return key + granularity * POINTS_PER_SPLIT;
}

/** Cuts a sorted aggregate series into its splits, in key order. */
export function splitSeries(series: Series, granularity: number): Split[] {
  const { timestamps, values } = series;
  const splits: Split[] = [];
  let from = 0;
  while (from < timestamps.length) {
    const key = splitKeyFor(timestamps[from] as number, granularity);
    const end = nextSplitKey(key, granularity);
    let to = from + 1;
    while (to < timestamps.length && (timestamps[to] as number) < end) to++;
    splits.push({
      key,
      series: { timestamps: timestamps.subarray(from, to), values: values.subarray(from, to) },
    });
    from = to;
  }
  return splits;
}
