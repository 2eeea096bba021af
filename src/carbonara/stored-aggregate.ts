/**
 * Operations on a stored aggregate series: retention by timespan, range reads, and resampling.
 */
import type { AggregationMethod } from './aggregation-method.ts';
import { downsample } from './downsample.ts';
import type { Sampling } from './grouped-series.ts';
import { lowerBound, roundTimestamp, sliceSeries, type Series } from './series.ts';

/**
 * Keeps the points newer than `last − timespan`, where `last` is the series' newest point
 * (retention is relative to the data, never to the clock). Returns the series unchanged when it is
 * empty or the timespan unbounded (`null`).
 */
export function truncateToTimespan(series: Series, timespan: number | null): Series {
  const n = series.timestamps.length;
  if (timespan === null || n === 0) return series;
  // NOTE: the bound is exclusive: a point exactly `timespan` old is dropped, as in Gnocchi.
  const from = lowerBound(series.timestamps, (series.timestamps[n - 1] as number) - timespan + 1);
  return { timestamps: series.timestamps.subarray(from), values: series.values.subarray(from) };
}

/** The oldest timestamp that {@link truncateToTimespan} would keep, if any point is dropped. */
export function timespanCutoff(series: Series, timespan: number | null): number | undefined {
  const n = series.timestamps.length;
  if (timespan === null || n === 0) return undefined;
  return (series.timestamps[n - 1] as number) - timespan + 1;
}

/**
 * The points with `floor(start, granularity) <= ts < stop`: a start inside a bucket still returns
 * that bucket (Gnocchi's `fetch`).
 */
export function fetchRange(
  series: Series,
  granularity: number,
  start?: number,
  stop?: number,
): Series {
  return sliceSeries(
    series,
    start === undefined ? undefined : roundTimestamp(start, granularity),
    stop,
  );
}

/**
 * Regroups aggregate points at a coarser sampling and applies the same method to them: the mean
 * of means, the count of buckets, and for `rate:` methods the rate of the stored rates. This is
 * Gnocchi's `AggregatedTimeSerie.resample`: unweighted, computed from the stored points only.
 */
export function resampleSeries(
  series: Series,
  sampling: Sampling,
  method: string | AggregationMethod,
): Series {
  return downsample(series, { sampling, method });
}
