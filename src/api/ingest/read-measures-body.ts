/**
 * The measures of a request, from its raw body: the media type checked as for any JSON body, then
 * parsed by the API's parser, off the event loop when the body is large.
 */
import type { FastifyRequest } from 'fastify';

import { requireMediaType } from '../http/json-body.ts';
import type { MeasuresBodyKind, ParsedMeasures } from './measures-body.ts';
import type { MeasuresParsePool } from './measures-parse-pool.ts';

/** Reads a measures body; throws `UnsupportedMediaTypeError` and the parser's errors. */
export function readMeasuresBody(
  request: Pick<FastifyRequest, 'headers' | 'body'>,
  parser: Pick<MeasuresParsePool, 'parse'>,
  kind: MeasuresBodyKind,
  now: number,
): Promise<ParsedMeasures> {
  requireMediaType(request);
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  return parser.parse(raw, kind, now);
}
