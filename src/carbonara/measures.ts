/**
 * Preparing a pass's new measures for a metric: Gnocchi sorts them by `(timestamp, value)` and keeps
 * the first point of each timestamp, so duplicates within one processing pass resolve to the
 * **lowest** value (NaN sorts last, as in numpy). Across passes, the newer pass wins (see
 * {@link mergeSeries}).
 */
import { BeforeEpochError } from './errors.ts';
import { type Series } from './series.ts';

/** Sorts measures by timestamp then value and drops repeated timestamps, keeping the lowest value. */
export function sortMeasures(timestamps: Float64Array, values: Float64Array): Series {
  const n = timestamps.length;
  if (values.length !== n) throw new RangeError('timestamps and values differ in length');
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const ts = timestamps[i] as number;
    if (!(ts >= 0)) throw new BeforeEpochError(ts);
    if (ts !== Math.floor(ts)) throw new RangeError(`timestamp ${ts} is not whole microseconds`);
    if (i > 0 && ts <= (timestamps[i - 1] as number)) sorted = false;
  }
  if (sorted) return { timestamps, values };
  const order = sortedOrder(timestamps, values);
  const outTs = new Float64Array(n);
  const outValues = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const index = order[i] as number;
    const ts = timestamps[index] as number;
    if (k > 0 && outTs[k - 1] === ts) continue;
    outTs[k] = ts;
    outValues[k++] = values[index] as number;
  }
  return { timestamps: outTs.subarray(0, k), values: outValues.subarray(0, k) };
}

function sortedOrder(timestamps: Float64Array, values: Float64Array): Uint32Array {
  const order = new Uint32Array(timestamps.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((x, y) => {
    const dt = (timestamps[x] as number) - (timestamps[y] as number);
    return dt !== 0 ? dt : compareValues(values[x] as number, values[y] as number);
  });
}

/** numpy's order for doubles: ascending, with NaN after everything else. */
export function compareValues(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}
