/**
 * UUIDs written the ways Python's `uuid.UUID()` reads them (any case, with or without dashes,
 * braces or a `urn:uuid:` prefix), normalised to the lowercase dashed form the indexer stores.
 */

const HEX32 = /^[0-9a-f]{32}$/;

/** The normalised UUID, or undefined when the text is not one. */
export function parseUuid(text: string): string | undefined {
  const hex = text
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^\{+|\}+$/g, '')
    .replaceAll('-', '')
    .toLowerCase();
  if (!HEX32.test(hex)) return undefined;
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
