/**
 * Byte order of 32-bit words on this host, so that typed-array views can read and write the
 * little-endian words of the series format (see serialize.ts) without going byte by byte.
 */

/** Whether this host stores the least significant byte of a word first. */
export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Index of the low 32 bits of a float64 in a `Uint32Array` view of a `Float64Array`. */
export const LOW_WORD = IS_LITTLE_ENDIAN ? 0 : 1;

/** Index of the high 32 bits (sign, exponent, top of the mantissa) of a float64 in such a view. */
export const HIGH_WORD = 1 - LOW_WORD;

/** Swaps host-order words to little-endian order in place, or back: a no-op on little-endian hosts. */
export function swapToLittleEndian(words: Uint32Array): void {
  if (IS_LITTLE_ENDIAN) return;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as number;
    words[i] = (w >>> 24) | ((w >>> 8) & 0xff00) | ((w << 8) & 0xff0000) | (w << 24);
  }
}
