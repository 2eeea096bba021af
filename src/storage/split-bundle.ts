/**
 * The split bundle: every aggregation method of one granularity and one split key in one object,
 * so that a metric costs one object per split rather than one per method and split (fewer files,
 * fewer round trips, one write per touched split).
 *
 * Input: method name → series (any of the 216 names, at most 255 methods). Output: bytes from
 * which {@link decodeSplitBundle} gives back the same map, every series bit for bit. Encoding is
 * deterministic: methods are written in code-point order and empty series are left out.
 *
 * Version 1 layout (all integers little-endian):
 *
 *   u8 × 4   magic "OZSB"
 *   u8       format version, {@link SPLIT_BUNDLE_VERSION}
 *   u8       m, the number of methods
 *   m ×      u8 name length l (1..255), u8 × l method name (ASCII), u32 payload length
 *   u8 × p   zero padding, so that the header below ends on a multiple of 4 bytes
 *   u32      XXH32, seed 0, of every header byte before it
 *   ...      the m payloads back to back, in header order: each series as `encodeSeries`
 *
 * Why this shape: the header checksum catches a flipped name or length (each payload carries its
 * own checksum), so a corrupt bundle never decodes into another method's numbers; payload lengths
 * are multiples of 4, so with the padding every payload starts on a word boundary and decodes
 * without a copy; and a reader after one method decodes only that payload.
 * Anything wrong (bad magic or version, truncation, trailing bytes, a flipped byte) throws
 * `InvalidDataError`.
 */
import {
  decodeSeries,
  encodeSeries,
  InvalidDataError,
  xxHash32,
  type Series,
} from '../carbonara/index.ts';

/** Current split bundle format version. */
export const SPLIT_BUNDLE_VERSION = 1;

const MAGIC = [0x4f, 0x5a, 0x53, 0x42];
const METHOD_NAME = /^[a-z0-9:]{1,255}$/;
const MAX_METHODS = 255;

/** Encodes the series of a split's methods; throws `RangeError` on a bad name or series. */
export function encodeSplitBundle(methods: ReadonlyMap<string, Series>): Uint8Array {
  const entries = [...methods]
    .filter(([, series]) => series.timestamps.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, series]) => {
      if (!METHOD_NAME.test(name)) throw new RangeError(`bad aggregation method name ${name}`);
      return { name, payload: encodeSeries(series) };
    });
  if (entries.length > MAX_METHODS) throw new RangeError(`more than ${MAX_METHODS} methods`);
  const unpadded = 6 + entries.reduce((sum, { name }) => sum + 1 + name.length + 4, 0);
  const headerLength = Math.ceil((unpadded + 4) / 4) * 4;
  const total = entries.reduce((sum, { payload }) => sum + payload.length, headerLength);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC);
  bytes[4] = SPLIT_BUNDLE_VERSION;
  bytes[5] = entries.length;
  let at = 6;
  for (const { name, payload } of entries) {
    bytes[at++] = name.length;
    for (let i = 0; i < name.length; i++) bytes[at++] = name.charCodeAt(i);
    view.setUint32(at, payload.length, true);
    at += 4;
  }
  view.setUint32(headerLength - 4, xxHash32(bytes.subarray(0, headerLength - 4)), true);
  at = headerLength;
  for (const { payload } of entries) {
    bytes.set(payload, at);
    at += payload.length;
  }
  return bytes;
}

/** One method's place in a bundle. */
interface BundleEntry {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Decodes a bundle, or only the `methods` named (those it lacks are absent from the result);
 * throws `InvalidDataError` on anything but a whole bundle written by {@link encodeSplitBundle}.
 */
export function decodeSplitBundle(
  bytes: Uint8Array,
  methods?: readonly string[],
): Map<string, Series> {
  const wanted = methods === undefined ? undefined : new Set(methods);
  const result = new Map<string, Series>();
  for (const { name, start, end } of readHeader(bytes)) {
    if (wanted !== undefined && !wanted.has(name)) continue;
    try {
      result.set(name, decodeSeries(bytes.subarray(start, end)));
    } catch (error) {
      if (!(error instanceof InvalidDataError)) throw error;
      throw new InvalidDataError(`Split bundle method ${name}: ${error.message}`, {
        offset: start + (error.offset ?? 0),
        cause: error,
      });
    }
  }
  return result;
}

function readHeader(bytes: Uint8Array): BundleEntry[] {
  const fail = (message: string, offset: number): never => {
    throw new InvalidDataError(`Split bundle: ${message}`, { offset });
  };
  if (bytes.length < 6) fail(`truncated (${bytes.length} bytes)`, bytes.length);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) fail('bad magic', i);
  if (bytes[4] !== SPLIT_BUNDLE_VERSION) fail(`unknown version ${bytes[4]}`, 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes[5] as number;
  const spans: { name: string; length: number }[] = [];
  let at = 6;
  for (let k = 0; k < count; k++) {
    const nameLength = bytes[at] ?? fail('truncated header', at);
    if (at + 1 + nameLength + 4 > bytes.length) fail('truncated header', at);
    const name = String.fromCharCode(...bytes.subarray(at + 1, at + 1 + nameLength));
    at += 1 + nameLength;
    spans.push({ name, length: view.getUint32(at, true) });
    at += 4;
  }
  const headerLength = Math.ceil((at + 4) / 4) * 4;
  if (headerLength > bytes.length) fail('truncated header', bytes.length);
  for (; at < headerLength - 4; at++) if (bytes[at] !== 0) fail('bad header padding', at);
  if (view.getUint32(at, true) !== xxHash32(bytes.subarray(0, at))) fail('checksum mismatch', at);
  return placeEntries(spans, headerLength, bytes.length, fail);
}

function placeEntries(
  spans: readonly { name: string; length: number }[],
  headerLength: number,
  total: number,
  fail: (message: string, offset: number) => never,
): BundleEntry[] {
  const entries: BundleEntry[] = [];
  let start = headerLength;
  for (const { name, length } of spans) {
    if (!METHOD_NAME.test(name)) fail(`bad method name`, headerLength);
    if (entries.some((entry) => entry.name === name)) fail(`method ${name} twice`, headerLength);
    if (start + length > total) fail(`truncated payload of ${name}`, total);
    entries.push({ name, start, end: start + length });
    start += length;
  }
  if (start !== total) fail(`${total - start} trailing bytes`, start);
  return entries;
}
