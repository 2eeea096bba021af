/**
 * Series as struct-of-arrays, the shape every carbonara function takes and returns.
 *
 * Time unit: a timestamp is an integer number of **microseconds** since 1970-01-01T00:00:00Z,
 * held in a `Float64Array`. Why microseconds in doubles: a double holds every integer up to 2^53
 * exactly, which in microseconds reaches the year 2255, so flooring and bucket arithmetic stay
 * exact, while V8 keeps doubles unboxed and fast (a `BigInt64Array` of nanoseconds would make every
 * operation a BigInt operation, tens of times slower). Microseconds are also the precision Gnocchi
 * keeps for its datetimes; sub-microsecond parts of incoming timestamps are floored. Granularities,
 * timespans and split keys use the same unit.
 */

/** Microseconds in one second. */
export const MICROS_PER_SECOND = 1_000_000;

/** A series sorted by timestamp with one value per timestamp. */
export interface Series {
  /** Integer microseconds since the epoch, strictly increasing. */
  readonly timestamps: Float64Array;
  /** `values[i]` belongs to `timestamps[i]`. */
  readonly values: Float64Array;
}

/** The empty series. */
export function emptySeries(): Series {
  return { timestamps: new Float64Array(0), values: new Float64Array(0) };
}

/** A series from parallel plain arrays (mostly for tests and fixtures); no sorting is done. */
export function seriesOf(timestamps: ArrayLike<number>, values: ArrayLike<number>): Series {
  if (timestamps.length !== values.length) {
    throw new RangeError(`timestamps (${timestamps.length}) and values (${values.length}) differ`);
  }
  return { timestamps: Float64Array.from(timestamps), values: Float64Array.from(values) };
}

/** The number of points of a series. */
export function seriesLength(series: Series): number {
  return series.timestamps.length;
}

/** The points with `start <= timestamp < stop` (either bound may be omitted). */
export function sliceSeries(series: Series, start?: number, stop?: number): Series {
  const from = start === undefined ? 0 : lowerBound(series.timestamps, start);
  const to = stop === undefined ? series.timestamps.length : lowerBound(series.timestamps, stop);
  return {
    timestamps: series.timestamps.subarray(from, Math.max(from, to)),
    values: series.values.subarray(from, Math.max(from, to)),
  };
}

/** The index of the first element `>= target` in a sorted array (its length if none). */
export function lowerBound(sorted: Float64Array, target: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `ts` floored to a multiple of `granularity` counted from the epoch (both in microseconds). */
export function roundTimestamp(ts: number, granularity: number): number {
  // NOTE: `%` on doubles is exact (fmod), so this stays exact for integers below 2^53.
  const rem = ts % granularity;
  return rem < 0 ? ts - rem - granularity : ts - rem;
}
