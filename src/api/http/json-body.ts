/**
 * Request bodies. Fastify only collects the raw bytes (up to `config.api.bodyLimitBytes`); routes
 * that read a body decode it with {@link decodeJsonBody}, after their authorization checks, so that
 * the order of refusals is Gnocchi's: credentials (401/403), then media type (415), then JSON
 * (400 "Unable to decode body"), then the schema (400 "Invalid input").
 */
import type { FastifyInstance } from 'fastify';

import { JSON_MEDIA_TYPE, mediaTypeOf } from './media-types.ts';
import { UndecodableBodyError, UnsupportedMediaTypeError } from './request-errors.ts';
import type { RequestHook } from './request-hooks.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Replaces fastify's body parsers by one that keeps any body as raw bytes. */
export function installRawBodyParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
}

/** A preValidation hook: requires a JSON media type and replaces the raw body by its value. */
export const decodeJsonBody: RequestHook = (request, _reply, done) => {
  const mediaType = mediaTypeOf(request.headers['content-type']);
  if (mediaType !== JSON_MEDIA_TYPE) throw new UnsupportedMediaTypeError(mediaType);
  request.body = decodeJson(request.body);
  done();
};

/** The JSON value of a raw body; throws `UndecodableBodyError` (empty, not UTF-8, not JSON). */
export function decodeJson(raw: unknown): unknown {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (error) {
    throw new UndecodableBodyError('Invalid UTF-8 sequence', { cause: error });
  }
  // NOTE: worded as Gnocchi's JSON decoder words an empty document.
  if (text.trim() === '') throw new UndecodableBodyError('Expected object or value');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UndecodableBodyError((error as Error).message, { cause: error });
  }
}
