/**
 * Parsing the body of `POST /v1/batch/metrics/measures` as Gnocchi's `MeasuresBatchSchema` does:
 * an object whose keys are metric ids (any form Python's `uuid.UUID` takes) and whose values are
 * measures lists (see `parse-measures.ts`). The resources variant
 * (`/v1/batch/resources/metrics/measures`) is not handled here.
 *
 * Output: a map from canonical metric id to its batch, in body order. Two keys naming the same
 * metric (e.g. in different case) are joined in body order; Python's dict keeps only the last.
 * The caller checks that the metrics exist (`Unknown metrics: …`) and enforces access.
 */
import { InvalidMeasuresError } from './errors.ts';
import { concatMeasureBatches, type MeasureBatch } from './measure-batch.ts';
import { normalizeUuid } from '../grammar/index.ts';
import { parseMeasures, type ParseMeasuresOptions } from './parse-measures.ts';

/** Parses a batch body into one batch per metric, or throws {@link InvalidMeasuresError}. */
export function parseMeasuresBatch(
  body: unknown,
  options: ParseMeasuresOptions,
): ReadonlyMap<string, MeasureBatch> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidMeasuresError('batch-format', {
      detail: 'the body must be an object mapping metric ids to measures lists',
    });
  }
  const batches = new Map<string, MeasureBatch>();
  for (const [key, measures] of Object.entries(body)) {
    const metricId = normalizeUuid(key);
    if (metricId === undefined) {
      throw new InvalidMeasuresError('metric-id', {
        metricKey: key,
        detail: `${JSON.stringify(key)} is not a metric id`,
      });
    }
    let batch: MeasureBatch;
    try {
      batch = parseMeasures(measures, options);
    } catch (error) {
      throw error instanceof InvalidMeasuresError ? error.withMetricKey(key) : error;
    }
    const previous = batches.get(metricId);
    batches.set(metricId, previous === undefined ? batch : concatMeasureBatches([previous, batch]));
  }
  return batches;
}
