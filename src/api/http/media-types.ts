/**
 * Content negotiation for an API that speaks only JSON: whether an `Accept` header allows it, and
 * whether a `Content-Type` announces it.
 */

/** The one media type the API reads and writes. */
export const JSON_MEDIA_TYPE = 'application/json';

/** The media type of a resource type's `PATCH` (RFC 6902). */
export const JSON_PATCH_MEDIA_TYPE = 'application/json-patch+json';

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/**
 * Whether a response in JSON is acceptable: the most specific media range of the header that
 * matches `application/json` must have a quality above 0. No header, an empty one or one without
 * any readable range accepts everything, as webob treats them.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  const ranges = accept.split(',').flatMap(parseMediaRange);
  if (ranges.length === 0) return true;
  const [type, subtype] = JSON_MEDIA_TYPE.split('/');
  const specificity = (range: MediaRange): number =>
    range.type === type && range.subtype === subtype
      ? 2
      : range.type === type && range.subtype === '*'
        ? 1
        : range.type === '*' && range.subtype === '*'
          ? 0
          : -1;
  let best: MediaRange | undefined;
  for (const range of ranges) {
    const rank = specificity(range);
    if (rank >= 0 && (best === undefined || rank > specificity(best))) best = range;
  }
  return best !== undefined && best.q > 0;
}

/** The media type of a `Content-Type` header without its parameters, lowercased. */
export function mediaTypeOf(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return mediaType === '' ? null : mediaType;
}

function parseMediaRange(text: string): MediaRange[] {
  const [range = '', ...parameters] = text.split(';').map((part) => part.trim());
  const match = /^([a-z0-9!#$%&'*+.^_`|~-]+)\/([a-z0-9!#$%&'*+.^_`|~-]+)$/i.exec(range);
  if (match === null) return [];
  let q = 1;
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2).map((part) => part.trim());
    if (name.toLowerCase() !== 'q') continue;
    const parsed = Number(value);
    q = value !== '' && Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 1;
  }
  return [{ type: (match[1] ?? '').toLowerCase(), subtype: (match[2] ?? '').toLowerCase(), q }];
}
