/**
 * Aggregating a raw series at a granularity with any of the 216 methods, including the `rate:`
 * variants, which aggregate the differences between consecutive raw points.
 */
import { aggregateGrouped } from './aggregate-grouped.ts';
import { parseAggregationMethod, type AggregationMethod } from './aggregation-method.ts';
import { InvalidSamplingError } from './errors.ts';
import { groupSeries, type GroupedSeries, type Sampling } from './grouped-series.ts';
import { lowerBound, type Series } from './series.ts';

/** What to aggregate and from where. */
export interface AggregateOptions {
  /** Bucket width (µs) or a calendar period (not for `rate:` methods). */
  readonly sampling: Sampling;
  /** A method name, e.g. `mean`, `95pct` or `rate:max`, or one already parsed. */
  readonly method: string | AggregationMethod;
  /**
   * Only buckets from here on are computed (a bucket boundary). For `rate:` methods the points of
   * the one granularity before it still serve as predecessors, as Gnocchi does.
   */
  readonly start?: number;
}

/** Aggregates `series` into one point per non-empty bucket. */
export function aggregateSeries(series: Series, options: AggregateOptions): Series {
  const method =
    typeof options.method === 'string' ? parseAggregationMethod(options.method) : options.method;
  const grouped = method.rate
    ? groupDifferences(series, options.sampling, options.start)
    : groupSeries(series, options.sampling, options.start);
  return aggregateGrouped(grouped, method);
}

/**
 * Groups the differences `v[i] − v[i−1]`, each stamped with the later point's timestamp; the very
 * first point has none. With a start, predecessors are taken from one granularity before it.
 */
export function groupDifferences(
  series: Series,
  sampling: Sampling,
  start?: number,
): GroupedSeries {
  return groupSeries(differences(series, sampling, start), sampling, start);
}

function differences(series: Series, sampling: Sampling, start: number | undefined): Series {
  if (typeof sampling === 'string') {
    throw new InvalidSamplingError(`rate aggregates cannot be computed on calendar groupings`);
  }
  const from = start === undefined ? 0 : lowerBound(series.timestamps, start - sampling);
  const ts = series.timestamps;
  const v = series.values;
  const n = Math.max(0, ts.length - from - 1);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = ts[from + i + 1] as number;
    values[i] = (v[from + i + 1] as number) - (v[from + i] as number);
  }
  return { timestamps, values };
}
