/**
 * A measures request body from raw bytes to batches: decoded as JSON, then read by the ingest
 * parser, either one metric's list (`POST …/measures`), the batch endpoint's object of metric
 * id → list, or the batch by resource (`resource-measures-body.ts`). A list or batch in the
 * common form (`read-common-measures.ts`) is read from its bytes instead, to the same batches.
 * The same code runs in the request's thread for small bodies and in a parsing worker for large
 * ones (`measures-parse-pool.ts`).
 */
import {
  parseMeasures,
  parseMeasuresBatch,
  readCommonMeasuresBatch,
  readCommonMeasuresList,
} from '../../ingest/index.ts';
import { decodeJson } from '../http/json-body.ts';
import type { ParsedMeasures } from './parsed-measures.ts';
import { parseResourceMeasuresBody } from './resource-measures-body.ts';

/** Which body: one metric's list, the batch endpoint's object, or the batch by resource. */
export type MeasuresBodyKind = 'one' | 'batch' | 'resources';

export type { ParsedBatch, ParsedMeasures } from './parsed-measures.ts';

/** Decodes and reads a body; throws `UndecodableBodyError` and `InvalidMeasuresError`. */
export function parseMeasuresBody(
  raw: Buffer,
  kind: MeasuresBodyKind,
  now: number,
): ParsedMeasures {
  if (kind === 'one') {
    const list = readCommonMeasuresList(raw);
    if (list !== undefined) return new Map([['', list]]);
  } else if (kind === 'batch') {
    const batches = readCommonMeasuresBatch(raw);
    if (batches !== undefined) return batches;
  }
  const body = decodeJson(raw);
  if (kind === 'batch') return parseMeasuresBatch(body, { now });
  if (kind === 'resources') return parseResourceMeasuresBody(body, now);
  return new Map([['', parseMeasures(body, { now })]]);
}
