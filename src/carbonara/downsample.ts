/**
 * Downsampling: aggregating a series into buckets of a granularity (or calendar periods) with any
 * of the 216 methods, including the `rate:` variants, which aggregate the differences between
 * consecutive points. Reads resample stored aggregates with it; processing uses
 * `recompute-buckets.ts`, which shares the grouping between methods.
 */
import { parseAggregationMethod, type AggregationMethod } from './aggregation-method.ts';
import { groupDifferences, groupSeries, type Sampling } from './grouped-series.ts';
import { reduceBuckets } from './reduce-buckets.ts';
import type { Series } from './series.ts';

/** What to aggregate and from where. */
export interface DownsampleOptions {
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
export function downsample(series: Series, options: DownsampleOptions): Series {
  const method =
    typeof options.method === 'string' ? parseAggregationMethod(options.method) : options.method;
  const grouped = method.rate
    ? groupDifferences(series, options.sampling, options.start)
    : groupSeries(series, options.sampling, options.start);
  return reduceBuckets(grouped, method);
}
