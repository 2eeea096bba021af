/**
 * Filling a series' missing buckets: with a number or with null, a point for every missing bucket
 * from its first point (or the bucket of `start`) to its last (or the last bucket before `stop`);
 * or, with `dropna`, removing the NaN points instead. This is the `fill` of reads and of
 * cross-metric aggregation.
 *
 * Buckets are multiples of the granularity counted from the epoch, or calendar periods for a
 * calendar resample. A null fill is kept apart from NaN (`nulls`), so that it renders as JSON
 * `null` while stored NaNs still render as `NaN`.
 */
import { calendarPeriod, isCalendarGrouping, type CalendarGrouping } from './calendar.ts';
import { FillLimitExceededError } from './errors.ts';
import { roundTimestamp, type Series } from './series.ts';

/** The value `fill=dropna` stands for. */
export const FILL_DROPNA = 'dropna';

/** What to do with missing buckets: fill them with a number or with null, or drop NaN points. */
export type Fill = number | null | typeof FILL_DROPNA;

/** Most points a fill may add to one series, so that one request cannot exhaust the server. */
export const MAX_FILL_POINTS = 100_000;

/** A series whose points may be null (`nulls[i] === 1`; `values[i]` is then NaN). */
export interface FilledSeries extends Series {
  readonly nulls?: Uint8Array;
}

/** Where and how to fill one series. */
export interface FillOptions {
  readonly fill: Fill;
  /** Microseconds, or the calendar period of a calendar resample. */
  readonly granularity: number | CalendarGrouping;
  /** The read's `start` (µs), if any; filling starts at its bucket. */
  readonly start?: number | undefined;
  /** The read's exclusive `stop` (µs), if any; filling ends at the last bucket before it. */
  readonly stop?: number | undefined;
}

/**
 * The series with its missing buckets filled (or its NaN points dropped); throws
 * `FillLimitExceededError` when that would add more than {@link MAX_FILL_POINTS} points.
 */
export function fillSeries(series: Series, options: FillOptions): FilledSeries {
  if (options.fill === FILL_DROPNA) return dropNaN(series);
  const range = bucketRange(series, options);
  if (range === undefined) return series;
  const { granularity, fill } = options;
  const { timestamps, values } = series;
  const points = timestamps.length;
  // NOTE: a range far too wide is refused before anything is allocated for it.
  if (typeof granularity === 'number') {
    const buckets = (range.last - range.first) / granularity + 1;
    if (buckets - points > MAX_FILL_POINTS) throw tooManyPoints(granularity);
  }
  const step = bucketStep(granularity);
  const out = { timestamps: [] as number[], values: [] as number[], filledAt: [] as number[] };
  let i = 0;
  for (let bucket = range.first; bucket <= range.last; bucket = step(bucket)) {
    for (; i < points && (timestamps[i] as number) <= bucket; i++) {
      out.timestamps.push(timestamps[i] as number);
      out.values.push(values[i] as number);
    }
    if (out.timestamps.at(-1) === bucket) continue;
    if (out.filledAt.length >= MAX_FILL_POINTS) throw tooManyPoints(granularity);
    out.filledAt.push(out.timestamps.length);
    out.timestamps.push(bucket);
    out.values.push(fill ?? NaN);
  }
  for (; i < points; i++) {
    out.timestamps.push(timestamps[i] as number);
    out.values.push(values[i] as number);
  }
  if (out.filledAt.length === 0) return series;
  const filled = {
    timestamps: Float64Array.from(out.timestamps),
    values: Float64Array.from(out.values),
  };
  if (fill !== null) return filled;
  const nulls = new Uint8Array(filled.timestamps.length);
  for (const index of out.filledAt) nulls[index] = 1;
  return { ...filled, nulls };
}

/** The first and last buckets to fill, or undefined when there is no range to fill. */
function bucketRange(
  series: Series,
  options: FillOptions,
): { readonly first: number; readonly last: number } | undefined {
  const { timestamps } = series;
  const floor = bucketFloor(options.granularity);
  let first = timestamps[0];
  let last = timestamps[timestamps.length - 1];
  if (options.start !== undefined) first = Math.min(first ?? Infinity, floor(options.start));
  // NOTE: timestamps are integers, so the last bucket before `stop` is the one holding `stop - 1`.
  if (options.stop !== undefined && options.stop > 0) {
    last = Math.max(last ?? -Infinity, floor(options.stop - 1));
  }
  if (first === undefined || last === undefined || first > last) return undefined;
  return { first, last };
}

function bucketFloor(granularity: number | CalendarGrouping): (ts: number) => number {
  return isCalendarGrouping(granularity)
    ? (ts) => calendarPeriod(ts, granularity).start
    : (ts) => roundTimestamp(ts, granularity);
}

function bucketStep(granularity: number | CalendarGrouping): (bucket: number) => number {
  return isCalendarGrouping(granularity)
    ? (bucket) => calendarPeriod(bucket, granularity).end
    : (bucket) => bucket + granularity;
}

function dropNaN(series: Series): Series {
  const { timestamps, values } = series;
  let kept = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) kept++;
  if (kept === values.length) return series;
  const result = { timestamps: new Float64Array(kept), values: new Float64Array(kept) };
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    result.timestamps[k] = timestamps[i] as number;
    result.values[k++] = values[i] as number;
  }
  return result;
}

function tooManyPoints(granularity: number | CalendarGrouping): FillLimitExceededError {
  return new FillLimitExceededError(MAX_FILL_POINTS, granularity);
}
