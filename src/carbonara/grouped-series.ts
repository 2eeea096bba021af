/**
 * Grouping a sorted series into buckets: by granularity (each timestamp floored to a multiple of
 * the granularity counted from the epoch) or by calendar period. Only non-empty buckets exist.
 * The differences between consecutive points are grouped the same way, for `rate:` methods.
 */
import { calendarPeriod, type CalendarGrouping } from './calendar.ts';
import { InvalidSamplingError } from './errors.ts';
import { lowerBound, roundTimestamp, type Series } from './series.ts';

/** A series cut into buckets; the points of bucket `i` are `offsets[i]` to `offsets[i + 1]`. */
export interface GroupedSeries {
  /** Bucket keys (µs), increasing. */
  readonly buckets: Float64Array;
  /** `buckets.length + 1` offsets into `values`. */
  readonly offsets: Uint32Array;
  /** The grouped points' values, in timestamp order. */
  readonly values: Float64Array;
}

/** What points are grouped by: a granularity in µs, or a calendar period. */
export type Sampling = number | CalendarGrouping;

/**
 * Groups the points of `series` at or after `start` (all when omitted) by `sampling`.
 */
export function groupSeries(series: Series, sampling: Sampling, start?: number): GroupedSeries {
  const from = start === undefined ? 0 : lowerBound(series.timestamps, start);
  const timestamps = series.timestamps.subarray(from);
  const values = series.values.subarray(from);
  const n = timestamps.length;
  const buckets = new Float64Array(n);
  const offsets = new Uint32Array(n + 1);
  let count = 0;
  let bucketEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const ts = timestamps[i] as number;
    if (ts < bucketEnd) continue;
    // NOTE: a new bucket starts; computing its end once keeps `%` and dates off most points.
    const period = bucketOf(ts, sampling);
    buckets[count] = period.start;
    offsets[count++] = i;
    bucketEnd = period.end;
  }
  offsets[count] = n;
  return { buckets: buckets.subarray(0, count), offsets: offsets.subarray(0, count + 1), values };
}

function bucketOf(ts: number, sampling: Sampling): { start: number; end: number } {
  if (typeof sampling === 'string') return calendarPeriod(ts, sampling);
  const start = roundTimestamp(ts, sampling);
  return { start, end: start + sampling };
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
