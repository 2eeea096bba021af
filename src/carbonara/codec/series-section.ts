/**
 * A section of the series format (see serialize.ts): the timestamps or the values. Encoding a
 * section writes its header fields at once and packs its block data later, once every header is
 * written and the data's place in the output is known.
 */

/** A section whose headers are written and whose block data awaits packing. */
export interface SeriesSection {
  /** The number of 32-bit words of block data. */
  readonly wordCount: number;
  /** Packs the block data into zeroed `words` from index `at`. */
  readonly pack: (words: Uint32Array, at: number) => void;
}

/** A section that has no block data. */
export const NO_WORDS: SeriesSection = { wordCount: 0, pack: () => undefined };

/** Longest work array kept between calls (8 MiB); longer ones are allocated per call. */
const MAX_SCRATCH_LENGTH = 1 << 20;
const scratches = [new Float64Array(0), new Float64Array(0)];

/**
 * A work array of at least `length` elements with stale contents, one per slot, reused across
 * calls because allocating a zeroed typed array the size of a split costs as much as a pass over
 * it. Each section uses its own slot, as both are alive until the output is packed.
 */
export function scratchArray(slot: 0 | 1, length: number): Float64Array {
  const cached = scratches[slot] as Float64Array;
  if (cached.length >= length) return cached;
  const fresh = new Float64Array(length);
  if (length <= MAX_SCRATCH_LENGTH) scratches[slot] = fresh;
  return fresh;
}
