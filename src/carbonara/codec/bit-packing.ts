/**
 * Bit packing of unsigned integers of one fixed width into 32-bit words: the inner loops of the
 * series format (see serialize.ts).
 *
 * A run of `count` values of `width` bits (0..64) is laid out as follows:
 * - width 0: no words at all (every value is 0);
 * - width 1..32: value i occupies bits [i·width, (i+1)·width) of the run, counted from bit 0 (the
 *   least significant) of its first word; a value that straddles two words keeps its low bits in
 *   the first one; the last word is padded with zero bits;
 * - width 33..64: the low 32 bits of every value, one word each, then the high `width − 32` bits of
 *   every value packed as above. Why not interleave: the low halves then cost a plain copy.
 */

/** 2^32, to split a double holding an integer below 2^64 into two words. */
export const TWO_POW_32 = 4294967296;

/** The number of 32-bit words taken by `count` values of `width` bits (0..64). */
export function packedWordCount(count: number, width: number): number {
  if (width <= 32) return Math.ceil((count * width) / 32);
  return count + Math.ceil((count * (width - 32)) / 32);
}

/** The number of bits needed to write an integer `x` with 0 <= x < 2^53. */
export function bitWidth(x: number): number {
  if (x < TWO_POW_32) return 32 - Math.clz32(x);
  return 64 - Math.clz32(x / TWO_POW_32);
}

/**
 * Writes `count` values into `words` from index `at`, which must hold zeros: the low words are in
 * `low` and, for widths over 32, the high bits in `high`.
 */
export function packRun(
  run: { readonly low: Uint32Array; readonly high: Uint32Array; readonly count: number },
  width: number,
  words: Uint32Array,
  at: number,
): void {
  if (width <= 32) {
    packBits(run.low, run.count, width, words, at);
    return;
  }
  words.set(run.low.subarray(0, run.count), at);
  packBits(run.high, run.count, width - 32, words, at + run.count);
}

/** Reads `count` values written by {@link packRun} into `low` and, for widths over 32, `high`. */
export function unpackRun(
  words: Uint32Array,
  at: number,
  run: { readonly low: Uint32Array; readonly high: Uint32Array; readonly count: number },
  width: number,
): void {
  if (width <= 32) {
    unpackBits(words, at, run.count, width, run.low);
    return;
  }
  run.low.set(words.subarray(at, at + run.count));
  unpackBits(words, at + run.count, run.count, width - 32, run.high);
}

/** Packs `src[0..count)`, each below 2^width (width 0..32), into zeroed `words` from index `at`. */
export function packBits(
  src: Uint32Array,
  count: number,
  width: number,
  words: Uint32Array,
  at: number,
): void {
  if (width === 0) return;
  let index = at;
  let offset = 0;
  let current = 0;
  for (let i = 0; i < count; i++) {
    const v = src[i] as number;
    current |= v << offset;
    offset += width;
    if (offset >= 32) {
      words[index++] = current;
      offset -= 32;
      // NOTE: `offset` high bits of v did not fit; `>>> 32` would be a no-op, hence the test.
      current = offset === 0 ? 0 : v >>> (width - offset);
    }
  }
  if (offset > 0) words[index] = current;
}

/** Unpacks `count` values of `width` bits (0..32) from `words` at index `at` into `dst`. */
export function unpackBits(
  words: Uint32Array,
  at: number,
  count: number,
  width: number,
  dst: Uint32Array,
): void {
  if (width === 0) {
    dst.fill(0, 0, count);
    return;
  }
  const mask = width === 32 ? -1 : (1 << width) - 1;
  let index = at;
  let offset = 0;
  for (let i = 0; i < count; i++) {
    let v = (words[index] as number) >>> offset;
    offset += width;
    if (offset >= 32) {
      index++;
      offset -= 32;
      if (offset > 0) v |= (words[index] as number) << (width - offset);
    }
    dst[i] = v & mask;
  }
}
