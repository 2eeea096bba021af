/**
 * Grouping a sorted series into buckets: by granularity (each timestamp floored to a multiple of
 * the granularity counted from the epoch) or by calendar period. Only non-empty buckets exist.
 */
import { calendarPeriod, type CalendarGrouping } from './calendar.ts';
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
