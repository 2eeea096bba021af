/**
 * UUIDs as Gnocchi's `utils.UUID` reads them (Python's `uuid.UUID(text)`): 32 hex digits in any
 * case, dashes anywhere, optionally wrapped in braces and prefixed with `urn:` and/or `uuid:`.
 * The canonical form is lowercase and dashed (8-4-4-4-12); it is the only form stored, used as a
 * file name or a Redis key. Python's `int(hex, 16)` also lets through whitespace, a sign, `0x` and
 * underscores inside the 32 characters; those oddities are refused here.
 */

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_32 = /^[0-9a-f]{32}$/;

/** Whether `text` is already a lowercase dashed UUID. */
export function isCanonicalUuid(text: string): boolean {
  return CANONICAL.test(text);
}

/** Whether `text` is a dashed UUID (8-4-4-4-12 hex digits) in any case. */
export function isDashedUuid(text: string): boolean {
  return DASHED.test(text);
}

/** Throws `RangeError` naming `what` unless `text` is a lowercase dashed UUID. */
export function assertCanonicalUuid(text: string, what: string): void {
  if (!CANONICAL.test(text)) throw new RangeError(`not a ${what}: ${text}`);
}

/** The lowercase dashed form of a UUID in any form Python's `uuid.UUID` takes, or `undefined`. */
export function normalizeUuid(text: string): string | undefined {
  if (CANONICAL.test(text)) return text;
  if (text.length > 64) return undefined;
  // NOTE: in Python's order: the prefixes are removed as written (`URN:` is refused), then braces
  // of either kind from both ends, then dashes; only the hex digits are case-insensitive.
  const hex = text
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replaceAll('-', '')
    .toLowerCase();
  if (!HEX_32.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
