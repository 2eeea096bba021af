/**
 * Blocks of XORed float64 bit patterns, the series format's fallback for arbitrary floats (see
 * serialize.ts).
 *
 * Each value of a run is XORed, as a 64-bit pattern, with the value before it (the prior value
 * precedes the run), then the run is cut into blocks of {@link BLOCK_SIZE}. Within a block, the
 * bits that are zero in every XOR at both ends are dropped: `shift` is the count of common
 * trailing zero bits and `width` that of the bits left once common leading zeros are removed too,
 * so `shift + width <= 64`. Slowly changing floats share sign, exponent and top of the mantissa,
 * so their XORs have long runs of leading zeros; floats with short mantissas (a float32 source,
 * say) have trailing ones. This is Gorilla's idea with the widths fixed per block rather than per
 * value, which keeps decoding a branch-light loop.
 *
 * Block header: u8 width (0..64), u8 shift (0..64 − width, 0 when width is 0). Block data: each
 * XOR shifted right by `shift`, bit-packed at `width` (see bit-packing.ts), starting on a word
 * boundary.
 *
 * Patterns are read and written through `Uint32Array` views of the values, never as numbers, so
 * NaN payloads survive untouched.
 */
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { packRun, packedWordCount, unpackRun } from './bit-packing.ts';
import { BLOCK_SIZE } from './int-blocks.ts';
import { HIGH_WORD, LOW_WORD } from './word-order.ts';

/** The per-block widths and shifts of a run of XORed floats. */
export interface XorBlocks {
  /** The number of values in the run. */
  readonly count: number;
  /** Per block: the number of bits kept of every XOR. */
  readonly widths: Uint8Array;
  /** Per block: the number of low bits dropped from every XOR. */
  readonly shifts: Uint8Array;
  /** The number of 32-bit words of all blocks' data. */
  readonly wordCount: number;
}

const run = { low: new Uint32Array(BLOCK_SIZE), high: new Uint32Array(BLOCK_SIZE), count: 0 };

/** Chooses the width and shift of each block of the floats `bits` (a 2-word view) from index 1. */
export function planXorBlocks(bits: Uint32Array): XorBlocks {
  const count = bits.length / 2 - 1;
  const blockCount = Math.ceil(count / BLOCK_SIZE);
  const widths = new Uint8Array(blockCount);
  const shifts = new Uint8Array(blockCount);
  let wordCount = 0;
  for (let b = 0; b < blockCount; b++) {
    const from = 1 + b * BLOCK_SIZE;
    const to = Math.min(from + BLOCK_SIZE, count + 1);
    let low = 0;
    let high = 0;
    for (let i = 2 * from; i < 2 * to; i += 2) {
      low |= (bits[i + LOW_WORD] as number) ^ (bits[i - 2 + LOW_WORD] as number);
      high |= (bits[i + HIGH_WORD] as number) ^ (bits[i - 2 + HIGH_WORD] as number);
    }
    if ((low | high) === 0) continue;
    const leading = high === 0 ? 32 + Math.clz32(low) : Math.clz32(high);
    const trailing = low === 0 ? 32 + trailingZeros(high) : trailingZeros(low);
    widths[b] = 64 - leading - trailing;
    shifts[b] = trailing;
    wordCount += packedWordCount(to - from, 64 - leading - trailing);
  }
  return { count, widths, shifts, wordCount };
}

/** Writes the block headers of a plan. */
export function writeXorBlockHeaders(blocks: XorBlocks, writer: ByteWriter): void {
  for (let b = 0; b < blocks.widths.length; b++) {
    writer.u8(blocks.widths[b] as number);
    writer.u8(blocks.shifts[b] as number);
  }
}

/** Reads the headers of the blocks of a run of `count` XORed floats. */
export function readXorBlockHeaders(reader: ByteReader, count: number): XorBlocks {
  const blockCount = Math.ceil(count / BLOCK_SIZE);
  reader.need(blockCount * 2, 'block headers');
  const widths = new Uint8Array(blockCount);
  const shifts = new Uint8Array(blockCount);
  let wordCount = 0;
  for (let b = 0; b < blockCount; b++) {
    const width = reader.u8();
    const shift = reader.u8();
    if (width > 64 || shift > 64 - width || (width === 0 && shift !== 0)) {
      reader.fail(`Invalid block width ${width} and shift ${shift}`);
    }
    widths[b] = width;
    shifts[b] = shift;
    wordCount += packedWordCount(Math.min(BLOCK_SIZE, count - b * BLOCK_SIZE), width);
  }
  return { count, widths, shifts, wordCount };
}

/** Packs the XORs of the floats `bits` from index 1 into zeroed `words` at `at`. */
export function packXorBlocks(
  blocks: XorBlocks,
  bits: Uint32Array,
  words: Uint32Array,
  at: number,
): void {
  const { low, high } = run;
  let offset = at;
  for (let b = 0; b < blocks.widths.length; b++) {
    const width = blocks.widths[b] as number;
    if (width === 0) continue;
    const shift = blocks.shifts[b] as number;
    const from = 1 + b * BLOCK_SIZE;
    const count = Math.min(BLOCK_SIZE, blocks.count + 1 - from);
    for (let k = 0, i = 2 * from; k < count; k++, i += 2) {
      const xl = (bits[i + LOW_WORD] as number) ^ (bits[i - 2 + LOW_WORD] as number);
      const xh = (bits[i + HIGH_WORD] as number) ^ (bits[i - 2 + HIGH_WORD] as number);
      if (shift === 0) {
        low[k] = xl;
        high[k] = xh;
      } else if (shift < 32) {
        low[k] = (xl >>> shift) | (xh << (32 - shift));
        high[k] = xh >>> shift;
      } else {
        low[k] = xh >>> (shift - 32);
        high[k] = 0;
      }
    }
    run.count = count;
    packRun(run, width, words, offset);
    offset += packedWordCount(count, width);
  }
}

/** Unpacks XORed floats from `words` at `at` into `bits` from index 1 (index 0 already set). */
export function unpackXorBlocks(
  blocks: XorBlocks,
  words: Uint32Array,
  at: number,
  bits: Uint32Array,
): void {
  const { low, high } = run;
  let offset = at;
  for (let b = 0; b < blocks.widths.length; b++) {
    const width = blocks.widths[b] as number;
    const shift = blocks.shifts[b] as number;
    const from = 1 + b * BLOCK_SIZE;
    const count = Math.min(BLOCK_SIZE, blocks.count + 1 - from);
    run.count = count;
    unpackRun(words, offset, run, width);
    if (width <= 32) high.fill(0, 0, count);
    offset += packedWordCount(count, width);
    for (let k = 0, i = 2 * from; k < count; k++, i += 2) {
      const l = low[k] as number;
      const h = high[k] as number;
      let xl = l;
      let xh = h;
      if (shift >= 32) {
        xl = 0;
        xh = l << (shift - 32);
      } else if (shift > 0) {
        xl = l << shift;
        xh = (h << shift) | (l >>> (32 - shift));
      }
      bits[i + LOW_WORD] = (bits[i - 2 + LOW_WORD] as number) ^ xl;
      bits[i + HIGH_WORD] = (bits[i - 2 + HIGH_WORD] as number) ^ xh;
    }
  }
}

function trailingZeros(x: number): number {
  return 31 - Math.clz32(x & -x);
}
