/**
 * The versioned, lossless binary format of a series: aggregate split files and the raw buffer.
 *
 * Input: a {@link Series} whose timestamps are integer microseconds, 0 <= t < 2^53, strictly
 * increasing, and whose values are any float64. Output: bytes from which {@link decodeSeries}
 * gives back the very same timestamps and values bit for bit: −0 stays −0, and NaN payloads are
 * kept too, not canonicalised (value bits move through `Uint32Array` views, never arithmetic).
 * Anything wrong with the bytes (unknown version, truncation, a flipped bit, a malformed field)
 * throws {@link InvalidDataError}, never another error, a hang or a wrong series. Encoding is
 * deterministic: one series, one byte string.
 *
 * Version 1 layout. Field encodings (u8, varint, zigzag, u32 little-endian words) are those of
 * byte-writer.ts; the sections are detailed in timestamp-section.ts and value-section.ts, their
 * block headers and data in int-blocks.ts, xor-blocks.ts and bit-packing.ts. With n points, the
 * timestamp and value runs each hold n − 1 entries (the first point is in the header), coded in
 * ceil((n − 1) / 128) blocks.
 *
 *   u8      format version, {@link SERIES_FORMAT_VERSION}
 *   varint  n, the number of points; the rest of the header is absent when n = 0
 *   varint  t0, the first timestamp
 *   varint  unit, the gcd of the deltas between timestamps (only when n >= 2)
 *   ...     int block headers of the offsets o[i] = (t[i] − t0) / unit, i = 1..n−1, prior 0
 *   u8      value mode, then per mode:
 *           0 constant: u32 × 2, the low then high word of every value's bit pattern
 *           1 decimal:  u8 exponent e (0..22), zigzag i[0], then int block headers of
 *                       i[1..n−1], prior i[0], where value[k] = i[k] / 10^e (see
 *                       decimal-exponent.ts)
 *           2 xor:      u32 × 2, the bit pattern of value[0], then XOR block headers of
 *                       value[1..n−1], prior value[0]
 *   u8 × p  zero padding up to a multiple of 4 bytes
 *   u32 × w block data: every timestamp block, then every value block, in order
 *   u32     checksum: XXH32, seed 0, of every byte before it (see xxhash32.ts)
 *
 * Why this shape:
 * - The unit turns the timestamps of a split of granularity G into offsets 0, 1, 2, …, whose
 *   deltas make every block width 0: a regular series costs its timestamps 2 bytes per 128
 *   points, and a gap costs only the bits of its own block.
 * - Values that are short decimals (counters, gauges rounded to a few digits) become integers
 *   that pack well, plainly or as deltas per block: a ±1 or ±0.1 random walk takes 2 bits a
 *   point, about 0.29 bytes a point with its timestamps (Gnocchi's format: 9 to 13). Other
 *   floats fall back to XOR blocks (about 7 bytes a point for noisy ones), which still profit
 *   from slowly changing values. The encoder takes the first mode that fits every value.
 * - Per-block widths keep the decoding loops free of per-value branches on widths, and every
 *   block's data starts on a word boundary, so packing reads and writes whole `Uint32Array` words.
 * - Headers come before all data so the decoder reads and bounds every size before it allocates
 *   anything from a count it read: each block header takes at least 2 bytes, so n is at most 64
 *   points per byte of input, the most a constant regular series compresses to anyway.
 * - The checksum turns silent corruption into an error rather than a plausible wrong series. It
 *   costs about a quarter of a nanosecond a byte: about 1% of decoding time for compressible
 *   series and about 12% for noisy floats (see bench/serialize.ts), which we judged worth it.
 *   Any change within one 32-bit word, such as a flipped byte, is always caught.
 */
import { ByteReader } from './byte-reader.ts';
import { ByteWriter, MAX_VARINT_BYTES } from './byte-writer.ts';
import { InvalidDataError } from '../errors.ts';
import { BLOCK_SIZE } from './int-blocks.ts';
import { emptySeries } from '../series.ts';
import type { Series } from '../series.ts';
import {
  decodeTimestampSection,
  readTimestampSection,
  writeTimestampSection,
} from './timestamp-section.ts';
import { decodeValueSection, readValueSection, writeValueSection } from './value-section.ts';
import { IS_LITTLE_ENDIAN, swapToLittleEndian } from './word-order.ts';
import { xxHash32 } from './xxhash32.ts';

/** Current format version byte. */
export const SERIES_FORMAT_VERSION = 1;

/** The bytes of the empty series: version, count, padding, checksum. */
const MIN_ENCODED_LENGTH = 8;
/** Room for every fixed header field, varints at their longest. */
const FIXED_HEADER_CAPACITY = 48;
/** Room for the headers of a timestamp block and a value block, int blocks at their longest. */
const BLOCK_HEADERS_CAPACITY = 2 * (1 + MAX_VARINT_BYTES);

/** Encodes a series in the current format; throws `RangeError` on invalid timestamps. */
export function encodeSeries(series: Series): Uint8Array {
  const { timestamps, values } = series;
  const n = timestamps.length;
  if (values.length !== n) {
    throw new RangeError(`timestamps (${n}) and values (${values.length}) differ in length`);
  }
  const blockCount = Math.ceil(Math.max(0, n - 1) / BLOCK_SIZE);
  const writer = new ByteWriter(FIXED_HEADER_CAPACITY + blockCount * BLOCK_HEADERS_CAPACITY);
  writer.u8(SERIES_FORMAT_VERSION);
  writer.varint(n);
  const sections =
    n === 0 ? [] : [writeTimestampSection(timestamps, writer), writeValueSection(values, writer)];
  writer.alignToWord();
  const wordCount = sections.reduce((sum, section) => sum + section.wordCount, 0);
  const bytes = new Uint8Array(writer.length + wordCount * 4 + 4);
  bytes.set(writer.bytes());
  const words = new Uint32Array(bytes.buffer, writer.length, wordCount);
  let at = 0;
  for (const section of sections) {
    section.pack(words, at);
    at += section.wordCount;
  }
  swapToLittleEndian(words);
  const end = bytes.length - 4;
  const checksum = xxHash32(bytes.subarray(0, end));
  for (let i = 0; i < 4; i++) bytes[end + i] = checksum >>> (8 * i);
  return bytes;
}

/** Decodes bytes written by {@link encodeSeries}; throws {@link InvalidDataError} if they are not. */
export function decodeSeries(bytes: Uint8Array): Series {
  const reader = new ByteReader(bytes, verifyEnvelope(bytes));
  reader.u8();
  const n = reader.varint();
  if (n === 0) {
    reader.skipAlignment();
    reader.expectEnd();
    return emptySeries();
  }
  const timestamps = readTimestampSection(reader, n);
  const values = readValueSection(reader, n);
  reader.skipAlignment();
  const wordCount = (timestamps.blocks?.wordCount ?? 0) + (values.blocks?.wordCount ?? 0);
  const words = wordsAt(bytes, reader.position, wordCount);
  reader.skip(wordCount * 4, 'block data');
  reader.expectEnd();
  const series = { timestamps: new Float64Array(n), values: new Float64Array(n) };
  decodeTimestampSection(timestamps, words, series.timestamps);
  decodeValueSection(values, words, timestamps.blocks?.wordCount ?? 0, series.values);
  return series;
}

/** Checks the version, the length and the checksum; returns where the checksum starts. */
function verifyEnvelope(bytes: Uint8Array): number {
  if (bytes.length === 0) throw new InvalidDataError('Empty series data', { offset: 0 });
  if (bytes[0] !== SERIES_FORMAT_VERSION) {
    throw new InvalidDataError(`Unknown series format version ${bytes[0]}`, { offset: 0 });
  }
  if (bytes.length < MIN_ENCODED_LENGTH || bytes.length % 4 !== 0) {
    throw new InvalidDataError(`Truncated series data (${bytes.length} bytes)`, {
      offset: bytes.length,
    });
  }
  const end = bytes.length - 4;
  const reader = new ByteReader(bytes, bytes.length);
  reader.skip(end, 'series data');
  if (reader.word() !== xxHash32(bytes.subarray(0, end))) {
    throw new InvalidDataError('Series checksum mismatch', { offset: end });
  }
  return end;
}

/** The block data as host-order words: a view when aligned, else a copy. */
function wordsAt(bytes: Uint8Array, at: number, wordCount: number): Uint32Array {
  if (bytes.length - at < wordCount * 4) {
    throw new InvalidDataError('Truncated series data: block data missing', { offset: at });
  }
  if (IS_LITTLE_ENDIAN && (bytes.byteOffset + at) % 4 === 0) {
    return new Uint32Array(bytes.buffer, bytes.byteOffset + at, wordCount);
  }
  const words = new Uint32Array(wordCount);
  new Uint8Array(words.buffer).set(bytes.subarray(at, at + wordCount * 4));
  swapToLittleEndian(words);
  return words;
}
