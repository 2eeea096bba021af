/**
 * Objects for the file storage crash test: each carries its generation and a filler derived from
 * it, so that a torn or mixed object is told apart from a whole one.
 */

/** The metric the crash test writes. */
export const CRASH_METRIC = '00000000-0000-0000-0000-0000000000c1';
/** The bundles written by every update, before `raw`. */
export const CRASH_BUNDLES = Array.from(
  { length: 6 },
  (_, i) => `agg_1000000_${i * 3_600_000_000}`,
);

/** The bytes of object number `index` at a generation. */
export function crashObject(generation: number, index: number): Uint8Array {
  const length = 2000 + ((generation * 31 + index * 17) % 3000);
  const bytes = new Uint8Array(length).fill((generation + index) % 256);
  new DataView(bytes.buffer).setUint32(0, generation, true);
  return bytes;
}

/** The generation an object holds, or `undefined` when it is not whole. */
export function generationOf(bytes: Uint8Array, index: number): number | undefined {
  if (bytes.length < 4) return undefined;
  const generation = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const expected = crashObject(generation, index);
  if (expected.length !== bytes.length) return undefined;
  for (let i = 4; i < bytes.length; i++) if (bytes[i] !== expected[i]) return undefined;
  return generation;
}
