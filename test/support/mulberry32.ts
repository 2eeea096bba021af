/**
 * Mulberry32: a tiny seeded generator of floats in [0, 1), so that fixtures, property cases and
 * benchmark data are the same on every run. Golden fixtures depend on its exact sequence.
 */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
