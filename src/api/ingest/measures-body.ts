/**
 * A measures request body from raw bytes to batches: decoded as JSON, then read by the ingest
 * parser, either one metric's list (`POST …/measures`) or the batch endpoint's object of metric
 * id → list. The same code runs in the request's thread for small bodies and in a parsing worker
 * for large ones (`measures-parse-pool.ts`).
 */
import { parseMeasures, parseMeasuresBatch, type MeasureBatch } from '../../ingest/index.ts';
import { decodeJson } from '../http/json-body.ts';

/** Which body: one metric's list, or the batch endpoint's object. */
export type MeasuresBodyKind = 'one' | 'batch';

/** What a body holds: batches by metric id (the `one` body's under `''`). */
export type ParsedMeasures = ReadonlyMap<string, MeasureBatch>;

/** Decodes and reads a body; throws `UndecodableBodyError` and `InvalidMeasuresError`. */
export function parseMeasuresBody(
  raw: Buffer,
  kind: MeasuresBodyKind,
  now: number,
): ParsedMeasures {
  const body = decodeJson(raw);
  if (kind === 'batch') return parseMeasuresBatch(body, { now });
  return new Map([['', parseMeasures(body, { now })]]);
}
