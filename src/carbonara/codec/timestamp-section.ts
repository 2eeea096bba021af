/**
 * The timestamp section of the series format (see serialize.ts): t0, the unit (the gcd of the
 * deltas) and the offsets o[i] = (t[i] − t0) / unit as int blocks (see int-blocks.ts).
 */
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { InvalidDataError } from '../errors.ts';
import type { IntBlocks } from './int-blocks.ts';
import {
  packIntBlocks,
  planIntBlocks,
  readIntBlockHeaders,
  regularIntBlocks,
  regularStep,
  unpackIntBlocks,
  writeIntBlockHeaders,
} from './int-blocks.ts';
import type { SeriesSection } from './series-section.ts';
import { NO_WORDS, scratchArray } from './series-section.ts';

/** The header fields of a timestamp section, as read back. */
export interface TimestampHeaders {
  readonly first: number;
  readonly unit: number;
  readonly blocks: IntBlocks | undefined;
}

/** Writes the headers of the timestamps (at least one); throws `RangeError` if they are invalid. */
export function writeTimestampSection(timestamps: Float64Array, writer: ByteWriter): SeriesSection {
  const n = timestamps.length;
  const unit = timestampUnit(timestamps);
  const first = timestamps[0] as number;
  writer.varint(first);
  if (n === 1) return NO_WORDS;
  writer.varint(unit);
  if ((timestamps[n - 1] as number) - first === (n - 1) * unit) {
    // NOTE: every delta is a positive multiple of the unit and they add up to n − 1 units, so
    // each is one unit: the offsets are 0, 1, 2, … and need no computing.
    writeIntBlockHeaders(regularIntBlocks(n - 1, 1), writer);
    return NO_WORDS;
  }
  const offsets = scratchArray(0, n);
  for (let i = 1; i < n; i++) offsets[i] = ((timestamps[i] as number) - first) / unit;
  const blocks = planIntBlocks(offsets, 1, n, 0);
  writeIntBlockHeaders(blocks, writer);
  return {
    wordCount: blocks.wordCount,
    pack: (words, at) => {
      packIntBlocks(blocks, offsets, 1, 0, words, at);
    },
  };
}

/** The gcd of the deltas of valid timestamps (0 for a single one); throws `RangeError` else. */
function timestampUnit(timestamps: Float64Array): number {
  const n = timestamps.length;
  const first = timestamps[0] as number;
  if (!(Number.isSafeInteger(first) && first >= 0 && Number.isSafeInteger(timestamps[n - 1]))) {
    throw new RangeError('Timestamps must be integers in [0, 2^53)');
  }
  let unit = 0;
  let previous = first;
  for (let i = 1; i < n; i++) {
    const t = timestamps[i] as number;
    const delta = t - previous;
    previous = t;
    // NOTE: with integer ends, a fractional timestamp shows as a fractional delta.
    if (!(delta > 0) || Math.floor(delta) !== delta) {
      throw new RangeError(`Timestamps must be strictly increasing integers (index ${i})`);
    }
    if (delta !== unit && unit !== 1) unit = gcd(unit, delta);
  }
  return unit;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
}

/** Reads the headers of the timestamps of `n` points (n >= 1). */
export function readTimestampSection(reader: ByteReader, n: number): TimestampHeaders {
  const first = reader.varint();
  if (n === 1) return { first, unit: 0, blocks: undefined };
  const unit = reader.varint();
  if (unit === 0) reader.fail('Zero timestamp unit');
  return { first, unit, blocks: readIntBlockHeaders(reader, n - 1) };
}

/** Decodes the timestamps, checking that they are strictly increasing and below 2^53. */
export function decodeTimestampSection(
  headers: TimestampHeaders,
  words: Uint32Array,
  out: Float64Array,
): void {
  const { first, unit, blocks } = headers;
  out[0] = first;
  if (blocks === undefined) return;
  const step = regularStep(blocks) * unit;
  if (step >= 1) {
    fillProgression(out, first, step);
    return;
  }
  // NOTE: (o · unit + first) / 1 is exact for valid data; invalid data is caught just below.
  const sink = { out, start: 1, prior: 0, scale: unit, offset: first, divisor: 1 };
  unpackIntBlocks(blocks, words, 0, sink);
  let previous = first;
  for (let i = 1; i < out.length; i++) {
    const t = out[i] as number;
    if (!(t > previous)) {
      throw new InvalidDataError(`Decoded timestamps are not strictly increasing at point ${i}`);
    }
    previous = t;
  }
  if (previous > Number.MAX_SAFE_INTEGER) {
    throw new InvalidDataError('Decoded timestamp beyond 2^53');
  }
}

/** Fills `out` with first, first + step, …: the generic path's doubles, as all are exact. */
function fillProgression(out: Float64Array, first: number, step: number): void {
  if (!(first + (out.length - 1) * step <= Number.MAX_SAFE_INTEGER)) {
    throw new InvalidDataError('Decoded timestamp beyond 2^53');
  }
  for (let i = 1; i < out.length; i++) out[i] = first + i * step;
}
