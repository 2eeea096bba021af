/**
 * Request bodies. Fastify only collects the raw bytes (up to `config.api.bodyLimitBytes`); routes
 * that read a body decode it with {@link decodeJsonBody}, after their authorization checks, so that
 * the order of refusals is Gnocchi's: credentials (401/403), then media type (415), then JSON
 * (400 "Unable to decode body"), then the schema (400 "Invalid input").
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { JSON_MEDIA_TYPE, JSON_PATCH_MEDIA_TYPE, mediaTypeOf } from './media-types.ts';
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
export const decodeJsonBody: RequestHook = decodeBodyOf(JSON_MEDIA_TYPE);

/** The same for a JSON Patch (RFC 6902), which Gnocchi wants with its own media type. */
export const decodeJsonPatchBody: RequestHook = decodeBodyOf(JSON_PATCH_MEDIA_TYPE);

/**
 * For bodies that may be left out (a search's filter): no bytes mean no body (`undefined`);
 * otherwise as {@link decodeJsonBody}.
 */
export const decodeOptionalJsonBody: RequestHook = (request, reply, done) => {
  const raw = request.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    request.body = undefined;
    done();
    return;
  }
  decodeJsonBody(request, reply, done);
};

function decodeBodyOf(expected: string): RequestHook {
  return (request, _reply, done) => {
    requireMediaType(request, expected);
    request.body = decodeJson(request.body);
    done();
  };
}

/** Refuses (415) a request whose body is not of the media type a route reads. */
export function requireMediaType(
  request: Pick<FastifyRequest, 'headers'>,
  expected: string = JSON_MEDIA_TYPE,
): void {
  const mediaType = mediaTypeOf(request.headers['content-type']);
  if (mediaType !== expected) throw new UnsupportedMediaTypeError(mediaType);
}

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
    const lenient = parseWithNonFinite(text);
    if (lenient.ok) return lenient.value;
    throw new UndecodableBodyError((error as Error).message, { cause: error });
  }
}

/** Stands for a non-finite number while the rest of the document is parsed as strict JSON. */
const NON_FINITE = '\u0000orzo-non-finite:';
const NON_FINITE_TOKEN = /-?Infinity|NaN/y;

/**
 * Python's `json` writes NaN and infinities as bare `NaN`, `Infinity`, `-Infinity`, and Gnocchi
 * reads them back (`gnocchi measures add …@nan`). Those tokens, outside strings, are read as the
 * numbers they name; anything else that is not JSON stays refused.
 */
function parseWithNonFinite(text: string): { ok: true; value: unknown } | { ok: false } {
  let rewritten = '';
  let inString = false;
  let found = false;
  for (let at = 0; at < text.length; at++) {
    const char = text.charAt(at);
    if (inString) {
      rewritten += char;
      if (char === '\\') {
        rewritten += text.charAt(at + 1);
        at++;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      rewritten += char;
      continue;
    }
    NON_FINITE_TOKEN.lastIndex = at;
    const token = NON_FINITE_TOKEN.exec(text);
    if (token === null) {
      rewritten += char;
      continue;
    }
    found = true;
    rewritten += JSON.stringify(`${NON_FINITE}${token[0]}`);
    at += token[0].length - 1;
  }
  if (!found) return { ok: false };
  try {
    const value = JSON.parse(rewritten, (_key, item: unknown) =>
      typeof item === 'string' && item.startsWith(NON_FINITE)
        ? Number(item.slice(NON_FINITE.length))
        : item,
    ) as unknown;
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}
