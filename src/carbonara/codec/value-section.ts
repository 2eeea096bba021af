/**
 * The value section of the series format (see serialize.ts): a mode byte, then the values as one
 * constant, as decimal integers in int blocks (see decimal-exponent.ts and int-blocks.ts), or as
 * XOR blocks (see xor-blocks.ts). The encoder takes the first mode that applies, in that order.
 */
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { findDecimalExponent, MAX_DECIMAL_EXPONENT, POWERS_OF_TEN } from './decimal-exponent.ts';
import type { IntBlocks } from './int-blocks.ts';
import {
  packIntBlocks,
  planIntBlocks,
  readIntBlockHeaders,
  unpackIntBlocks,
  writeIntBlockHeaders,
} from './int-blocks.ts';
import type { SeriesSection } from './series-section.ts';
import { NO_WORDS, scratchArray } from './series-section.ts';
import { HIGH_WORD, LOW_WORD } from './word-order.ts';
import type { XorBlocks } from './xor-blocks.ts';
import {
  packXorBlocks,
  planXorBlocks,
  readXorBlockHeaders,
  unpackXorBlocks,
  writeXorBlockHeaders,
} from './xor-blocks.ts';

/** The value modes of format version 1, as stored in its value mode byte. */
export const VALUE_MODES = { constant: 0, decimal: 1, xor: 2 } as const;

/** The header fields of a value section, as read back. */
export type ValueHeaders =
  | { readonly mode: 0; readonly low: number; readonly high: number; readonly blocks?: undefined }
  | {
      readonly mode: 1;
      readonly exponent: number;
      readonly first: number;
      readonly blocks: IntBlocks;
    }
  | { readonly mode: 2; readonly low: number; readonly high: number; readonly blocks: XorBlocks };

/** Chooses the mode of the values (at least one) and writes their headers. */
export function writeValueSection(values: Float64Array, writer: ByteWriter): SeriesSection {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  if (isConstant(bits)) {
    writer.u8(VALUE_MODES.constant);
    writer.word(bits[LOW_WORD] as number);
    writer.word(bits[HIGH_WORD] as number);
    return NO_WORDS;
  }
  const ints = scratchArray(1, n);
  const exponent = findDecimalExponent(values, ints);
  if (exponent >= 0) {
    const first = ints[0] as number;
    writer.u8(VALUE_MODES.decimal);
    writer.u8(exponent);
    writer.zigzag(first);
    const blocks = planIntBlocks(ints, 1, n, first);
    writeIntBlockHeaders(blocks, writer);
    return {
      wordCount: blocks.wordCount,
      pack: (words, at) => {
        packIntBlocks(blocks, ints, 1, first, words, at);
      },
    };
  }
  writer.u8(VALUE_MODES.xor);
  writer.word(bits[LOW_WORD] as number);
  writer.word(bits[HIGH_WORD] as number);
  const blocks = planXorBlocks(bits);
  writeXorBlockHeaders(blocks, writer);
  return {
    wordCount: blocks.wordCount,
    pack: (words, at) => {
      packXorBlocks(blocks, bits, words, at);
    },
  };
}

function isConstant(bits: Uint32Array): boolean {
  const low = bits[LOW_WORD] as number;
  const high = bits[HIGH_WORD] as number;
  for (let i = 2; i < bits.length; i += 2) {
    if (bits[i + LOW_WORD] !== low || bits[i + HIGH_WORD] !== high) return false;
  }
  return true;
}

/** Reads the headers of the values of `n` points (n >= 1). */
export function readValueSection(reader: ByteReader, n: number): ValueHeaders {
  const mode = reader.u8();
  switch (mode) {
    case VALUE_MODES.constant:
      return { mode, low: reader.word(), high: reader.word() };
    case VALUE_MODES.decimal: {
      const exponent = reader.u8();
      if (exponent > MAX_DECIMAL_EXPONENT) reader.fail(`Invalid decimal exponent ${exponent}`);
      const first = reader.zigzag();
      return { mode, exponent, first, blocks: readIntBlockHeaders(reader, n - 1) };
    }
    case VALUE_MODES.xor: {
      const low = reader.word();
      const high = reader.word();
      return { mode, low, high, blocks: readXorBlockHeaders(reader, n - 1) };
    }
    default:
      return reader.fail(`Unknown value mode ${mode}`);
  }
}

/** Decodes the values, whose block data starts at word `at`. */
export function decodeValueSection(
  headers: ValueHeaders,
  words: Uint32Array,
  at: number,
  out: Float64Array,
): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, 2 * out.length);
  switch (headers.mode) {
    case VALUE_MODES.constant:
      fillBits(bits, headers.low, headers.high);
      return;
    case VALUE_MODES.decimal: {
      // NOTE: (i · 1 + 0) / 10^e is i / 10^e, the very division the encoder checked, so each
      // double comes back bit for bit.
      const power = POWERS_OF_TEN[headers.exponent] as number;
      out[0] = headers.first / power;
      const sink = { out, start: 1, prior: headers.first, scale: 1, offset: 0, divisor: power };
      unpackIntBlocks(headers.blocks, words, at, sink);
      return;
    }
    case VALUE_MODES.xor:
      bits[LOW_WORD] = headers.low;
      bits[HIGH_WORD] = headers.high;
      unpackXorBlocks(headers.blocks, words, at, bits);
      return;
  }
}

/** Sets every value of `bits` (a 2-word view) to the same pattern. */
function fillBits(bits: Uint32Array, low: number, high: number): void {
  bits[LOW_WORD] = low;
  bits[HIGH_WORD] = high;
  const values = new Float64Array(bits.buffer, bits.byteOffset, bits.length / 2);
  const value = values[0] as number;
  // NOTE: `fill` goes through a number, which may lose a NaN's payload; other values are safe.
  if (value === value) {
    values.fill(value);
    return;
  }
  for (let i = 2; i < bits.length; i += 2) {
    bits[i + LOW_WORD] = low;
    bits[i + HIGH_WORD] = high;
  }
}
