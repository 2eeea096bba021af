/**
 * The aggregation step of processing one metric: every method at every granularity of its archive
 * policy, for the buckets that new measures touched.
 */
import { parseAggregationMethod } from './aggregation-method.ts';
import { groupDifferences, groupSeries, type GroupedSeries } from './grouped-series.ts';
import { reduceBuckets } from './reduce-buckets.ts';
import { roundTimestamp, type Series } from './series.ts';

/** One aggregate series to compute. */
export interface AggregationSpec {
  /** Granularity (µs). */
  readonly granularity: number;
  /** Aggregation method name. */
  readonly method: string;
}

/**
 * Computes each aggregation of `series` for the buckets from `from` (floored to each granularity)
 * onwards, or for every bucket when `from` is omitted. Results are aligned with `aggregations`.
 * Points are grouped once per granularity and reused by every method.
 */
export function recomputeBuckets(
  series: Series,
  aggregations: readonly AggregationSpec[],
  from?: number,
): Series[] {
  const groups = new Map<string, GroupedSeries>();
  return aggregations.map(({ granularity, method }) => {
    const parsed = parseAggregationMethod(method);
    const cacheKey = `${granularity}:${parsed.rate}`;
    let grouped = groups.get(cacheKey);
    if (grouped === undefined) {
      const start = from === undefined ? undefined : roundTimestamp(from, granularity);
      grouped = parsed.rate
        ? groupDifferences(series, granularity, start)
        : groupSeries(series, granularity, start);
      groups.set(cacheKey, grouped);
    }
    return reduceBuckets(grouped, parsed);
  });
}
