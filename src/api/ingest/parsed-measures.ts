/** What a measures body becomes once read, wherever it was read (see `measures-body.ts`). */
import type { MeasureBatch } from '../../ingest/index.ts';
import type { MetricRequest } from '../../resource/index.ts';

/** One metric's measures, and for a batch by resource, how to create the metric if asked. */
export interface ParsedBatch extends MeasureBatch {
  readonly request?: MetricRequest;
}

/**
 * What a body holds: batches by metric id (the `one` body's under `''`; a batch by resource's
 * under `resourceMetricKey`).
 */
export type ParsedMeasures = ReadonlyMap<string, ParsedBatch>;
