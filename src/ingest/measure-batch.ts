/**
 * The measures of one request for one metric, as struct-of-arrays: integer microseconds since
 * the epoch and float64 values, in request order, neither sorted nor deduplicated (carbonara's
 * `sortMeasures` does that when metricd processes them).
 */

/** One request's measures for one metric. */
export interface MeasureBatch {
  /** Integer microseconds since the epoch, in request order. */
  readonly timestamps: Float64Array;
  /** `values[i]` belongs to `timestamps[i]`; NaN and ±Infinity are allowed, as in Gnocchi. */
  readonly values: Float64Array;
}

/** A batch with no measures. */
export function emptyMeasureBatch(): MeasureBatch {
  return { timestamps: new Float64Array(0), values: new Float64Array(0) };
}

/** The number of measures in a batch. */
export function measureBatchLength(batch: MeasureBatch): number {
  return batch.timestamps.length;
}

/** Several batches of one metric joined end to end, in the order given. */
export function concatMeasureBatches(batches: readonly MeasureBatch[]): MeasureBatch {
  if (batches.length === 1 && batches[0] !== undefined) return batches[0];
  let total = 0;
  for (const batch of batches) total += batch.timestamps.length;
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  let offset = 0;
  for (const batch of batches) {
    timestamps.set(batch.timestamps, offset);
    values.set(batch.values, offset);
    offset += batch.timestamps.length;
  }
  return { timestamps, values };
}
