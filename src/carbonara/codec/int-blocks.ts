/**
 * Frame-of-reference blocks of integers, the series format's encoding of timestamp offsets and of
 * decimal values (see serialize.ts).
 *
 * A run of integers x[0..count) that follows a known `prior` integer is cut into blocks of
 * {@link BLOCK_SIZE}. Each block is coded either plainly, as x − reference, or as deltas, as
 * (x[j] − x[j − 1]) − reference with x[−1] = prior; the encoder picks whichever needs fewer bits,
 * and the reference is the block's minimum, so every coded value is a non-negative integer.
 *
 * Block header: u8 (bit 7: delta coding; bits 0..6: width 0..{@link MAX_INT_WIDTH}), then the
 * reference as a zigzag varint. Block data: the coded values bit-packed at that width (see
 * bit-packing.ts), in 32-bit words, starting on a word boundary.
 *
 * Integers are doubles: the encoder guarantees |x| < 2^53 and ranges below 2^53, so every sum
 * and difference here is exact.
 */
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { bitWidth, packRun, packedWordCount, TWO_POW_32, unpackRun } from './bit-packing.ts';

/** The number of values per block (the last block of a run may hold fewer). */
export const BLOCK_SIZE = 128;

/** The widest coded integer allowed, in bits. */
export const MAX_INT_WIDTH = 53;

/** The fewest header bytes a block takes, to bound a count read from untrusted input. */
export const MIN_BLOCK_HEADER_BYTES = 2;

const DELTA_FLAG = 0x80;
const WIDTH_MASK = 0x7f;

/** The per-block coding of a run of integers, as planned by the encoder or read by the decoder. */
export interface IntBlocks {
  /** The number of integers in the run. */
  readonly count: number;
  /** Per block: the width, plus {@link DELTA_FLAG} for delta coding. */
  readonly flags: Uint8Array;
  /** Per block: the reference subtracted from every coded value. */
  readonly references: Float64Array;
  /** The number of 32-bit words of all blocks' data. */
  readonly wordCount: number;
}

const run = { low: new Uint32Array(BLOCK_SIZE), high: new Uint32Array(BLOCK_SIZE), count: 0 };

/** Chooses the coding of each block of `xs[start..end)`, which follows `prior`. */
export function planIntBlocks(
  xs: Float64Array,
  start: number,
  end: number,
  prior: number,
): IntBlocks {
  const count = end - start;
  const blockCount = Math.ceil(count / BLOCK_SIZE);
  const flags = new Uint8Array(blockCount);
  const references = new Float64Array(blockCount);
  let wordCount = 0;
  let previous = prior;
  for (let b = 0; b < blockCount; b++) {
    const from = start + b * BLOCK_SIZE;
    const to = Math.min(from + BLOCK_SIZE, end);
    let min = Infinity;
    let max = -Infinity;
    let deltaMin = Infinity;
    let deltaMax = -Infinity;
    for (let j = from; j < to; j++) {
      const x = xs[j] as number;
      const delta = x - previous;
      previous = x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (delta < deltaMin) deltaMin = delta;
      if (delta > deltaMax) deltaMax = delta;
    }
    const plainWidth = bitWidth(max - min);
    const deltaWidth = bitWidth(deltaMax - deltaMin);
    // NOTE: plain coding wins ties because it decodes without a running sum.
    const width = deltaWidth < plainWidth ? deltaWidth : plainWidth;
    flags[b] = deltaWidth < plainWidth ? width | DELTA_FLAG : width;
    references[b] = deltaWidth < plainWidth ? deltaMin : min;
    wordCount += packedWordCount(to - from, width);
  }
  return { count, flags, references, wordCount };
}

/** Writes the block headers of a plan. */
export function writeIntBlockHeaders(blocks: IntBlocks, writer: ByteWriter): void {
  for (let b = 0; b < blocks.flags.length; b++) {
    writer.u8(blocks.flags[b] as number);
    writer.zigzag(blocks.references[b] as number);
  }
}

/** Reads the headers of the blocks of a run of `count` integers. */
export function readIntBlockHeaders(reader: ByteReader, count: number): IntBlocks {
  const blockCount = Math.ceil(count / BLOCK_SIZE);
  reader.need(blockCount * MIN_BLOCK_HEADER_BYTES, 'block headers');
  const flags = new Uint8Array(blockCount);
  const references = new Float64Array(blockCount);
  let wordCount = 0;
  for (let b = 0; b < blockCount; b++) {
    const flag = reader.u8();
    const width = flag & WIDTH_MASK;
    if (width > MAX_INT_WIDTH) reader.fail(`Invalid block width ${width}`);
    flags[b] = flag;
    references[b] = reader.zigzag();
    wordCount += packedWordCount(Math.min(BLOCK_SIZE, count - b * BLOCK_SIZE), width);
  }
  return { count, flags, references, wordCount };
}

/** Packs `xs[start..start + blocks.count)`, which follows `prior`, into zeroed `words` at `at`. */
export function packIntBlocks(
  blocks: IntBlocks,
  xs: Float64Array,
  start: number,
  prior: number,
  words: Uint32Array,
  at: number,
): void {
  let offset = at;
  for (let b = 0; b < blocks.flags.length; b++) {
    const from = start + b * BLOCK_SIZE;
    const flag = blocks.flags[b] as number;
    const width = flag & WIDTH_MASK;
    if (width === 0) continue;
    run.count = Math.min(BLOCK_SIZE, start + blocks.count - from);
    const previous = from === start ? prior : (xs[from - 1] as number);
    codeBlock(xs, from, previous, flag, blocks.references[b] as number);
    packRun(run, width, words, offset);
    offset += packedWordCount(run.count, width);
  }
}

/** Fills `run` with the coded values of the block of `xs` at `from`, which follows `previous`. */
function codeBlock(
  xs: Float64Array,
  from: number,
  previous: number,
  flag: number,
  reference: number,
): void {
  const { low, high, count } = run;
  const delta = (flag & DELTA_FLAG) !== 0;
  const wide = (flag & WIDTH_MASK) > 32;
  let last = previous;
  for (let k = 0; k < count; k++) {
    const x = xs[from + k] as number;
    const value = (delta ? x - last : x) - reference;
    last = x;
    // NOTE: a typed-array store truncates modulo 2^32, so `low` and `high` split `value` exactly.
    low[k] = value;
    if (wide) high[k] = value / TWO_POW_32;
  }
}

/** The plan of a run of `count` integers that each exceed the one before by `step`. */
export function regularIntBlocks(count: number, step: number): IntBlocks {
  const blockCount = Math.ceil(count / BLOCK_SIZE);
  return {
    count,
    flags: new Uint8Array(blockCount).fill(DELTA_FLAG),
    references: new Float64Array(blockCount).fill(step),
    wordCount: 0,
  };
}

/** The step of a plan like those of {@link regularIntBlocks}, or NaN for any other plan. */
export function regularStep(blocks: IntBlocks): number {
  if (blocks.flags.length === 0) return NaN;
  const step = blocks.references[0] as number;
  for (let b = 0; b < blocks.flags.length; b++) {
    if (blocks.flags[b] !== DELTA_FLAG || blocks.references[b] !== step) return NaN;
  }
  return step;
}

/**
 * Where a decoded run goes: integer x[j] is stored as `(x[j] · scale + offset) / divisor` in
 * `out[start + j]`. Callers pick the constants so the result is exact, e.g. scale 1 and offset 0
 * (x · 1 + 0 is x), or divisor 1.
 */
export interface IntSink {
  readonly out: Float64Array;
  readonly start: number;
  /** The integer the run follows, the base of its first delta. */
  readonly prior: number;
  readonly scale: number;
  readonly offset: number;
  readonly divisor: number;
}

/** Unpacks a run of integers from `words` at `at` into a sink. */
export function unpackIntBlocks(
  blocks: IntBlocks,
  words: Uint32Array,
  at: number,
  sink: IntSink,
): void {
  let wordIndex = at;
  let previous = sink.prior;
  for (let b = 0; b < blocks.flags.length; b++) {
    const flag = blocks.flags[b] as number;
    const width = flag & WIDTH_MASK;
    run.count = Math.min(BLOCK_SIZE, blocks.count - b * BLOCK_SIZE);
    unpackRun(words, wordIndex, run, width);
    wordIndex += packedWordCount(run.count, width);
    const from = sink.start + b * BLOCK_SIZE;
    previous = emitBlock(sink, from, flag, blocks.references[b] as number, previous);
  }
}

/** Stores the block in `run` into the sink from `from`; returns its last integer. */
function emitBlock(
  sink: IntSink,
  from: number,
  flag: number,
  reference: number,
  prior: number,
): number {
  const { out, scale, offset, divisor } = sink;
  const { low, high, count } = run;
  const wide = (flag & WIDTH_MASK) > 32;
  let x = prior;
  if (flag & DELTA_FLAG) {
    for (let k = 0; k < count; k++) {
      x += reference + (low[k] as number) + (wide ? (high[k] as number) * TWO_POW_32 : 0);
      out[from + k] = (x * scale + offset) / divisor;
    }
  } else {
    for (let k = 0; k < count; k++) {
      x = reference + (low[k] as number) + (wide ? (high[k] as number) * TWO_POW_32 : 0);
      out[from + k] = (x * scale + offset) / divisor;
    }
  }
  return x;
}
