/**
 * Size and speed of the series format (src/carbonara/codec/serialize.ts) on typical shapes of data.
 *
 * Every shape is 100 splits of 3600 points with timestamps 10 s apart, the splits following one
 * another. For each shape: bytes per point, and encode and decode speeds in points per second,
 * each the best of several timed runs over all splits after a warm-up, plus the share of decoding
 * time spent verifying the checksum. Data come from a seeded PRNG, so sizes are reproducible.
 */
import { decodeSeries, encodeSeries } from '../src/carbonara/codec/serialize.ts';
import { xxHash32 } from '../src/carbonara/codec/xxhash32.ts';
import type { Series } from '../src/carbonara/series.ts';
import { mulberry32 } from '../test/support/mulberry32.ts';

const SPLITS = 100;
const POINTS_PER_SPLIT = 3600;
const STEP_MICROS = 10_000_000;
const FIRST_TIMESTAMP = 1_700_000_000_000_000;
// NOTE: runs are short (a few ms), so many of them filter out a busy machine's noise.
const WARM_UP_RUNS = 10;
const TIMED_RUNS = 15;

/** A generator of values, called once per point in order, given the point's global index. */
type Shape = (index: number) => number;

function shapes(): Record<string, Shape> {
  const random = mulberry32(20240601);
  let walk = 100;
  let walkDecimal = 100;
  return {
    continuous_range: (i) => i,
    all_zeros: () => 0,
    random_0_1: () => (random() < 0.5 ? 0 : 1),
    small_random_integers: () => Math.floor(random() * 101),
    sin: (i) => Math.sin(i / 100),
    // NOTE: 53 random bits like Math.random(); one 32-bit draw would leave trailing zero bits.
    random_floats: () => (Math.floor(random() * 2 ** 21) * 2 ** 32 + random() * 2 ** 32) / 2 ** 53,
    // NOTE: steps of −1, 0 or +1, equally likely.
    random_walk: () => (walk += Math.floor(random() * 3) - 1),
    // NOTE: steps of −0.1, 0 or +0.1, rounded to one decimal as a gauge would report them.
    random_walk_decimal: () =>
      (walkDecimal = Math.round((walkDecimal + (Math.floor(random() * 3) - 1) / 10) * 10) / 10),
  };
}

function splitsOf(shape: Shape): Series[] {
  const splits: Series[] = [];
  for (let s = 0; s < SPLITS; s++) {
    const timestamps = new Float64Array(POINTS_PER_SPLIT);
    const values = new Float64Array(POINTS_PER_SPLIT);
    for (let i = 0; i < POINTS_PER_SPLIT; i++) {
      const index = s * POINTS_PER_SPLIT + i;
      timestamps[i] = FIRST_TIMESTAMP + index * STEP_MICROS;
      values[i] = shape(index);
    }
    splits.push({ timestamps, values });
  }
  return splits;
}

/** The best time in seconds of `run` over the timed runs, after warming up. */
function bestSeconds(run: () => void): number {
  for (let i = 0; i < WARM_UP_RUNS; i++) run();
  let best = Infinity;
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

function sameSeries(a: Series, b: Series): boolean {
  const bitsA = new Uint32Array(a.values.buffer, a.values.byteOffset, 2 * a.values.length);
  const bitsB = new Uint32Array(b.values.buffer, b.values.byteOffset, 2 * b.values.length);
  return (
    a.timestamps.every((t, i) => t === b.timestamps[i]) && bitsA.every((w, i) => w === bitsB[i])
  );
}

function measureShape(shape: Shape): Record<string, number> {
  const splits = splitsOf(shape);
  const encoded = splits.map(encodeSeries);
  if (!splits.every((split, i) => sameSeries(split, decodeSeries(encoded[i] as Uint8Array)))) {
    throw new Error('series do not round-trip');
  }
  const points = SPLITS * POINTS_PER_SPLIT;
  const bytes = encoded.reduce((sum, e) => sum + e.length, 0);
  const encodeSeconds = bestSeconds(() => {
    for (const split of splits) encodeSeries(split);
  });
  const decodeSeconds = bestSeconds(() => {
    for (const e of encoded) decodeSeries(e);
  });
  const checksumSeconds = bestSeconds(() => {
    for (const e of encoded) xxHash32(e.subarray(0, e.length - 4));
  });
  return {
    bytes_per_point: round(bytes / points, 3),
    encode_points_per_s: Math.round(points / encodeSeconds),
    decode_points_per_s: Math.round(points / decodeSeconds),
    checksum_share_of_decode: round(checksumSeconds / decodeSeconds, 3),
  };
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** Measures every shape; returns figures for the caller to print as one JSON object. */
export function measureSerialize(): Record<string, unknown> {
  const results: Record<string, Record<string, number>> = {};
  for (const [name, shape] of Object.entries(shapes())) results[name] = measureShape(shape);
  return {
    splits: SPLITS,
    points_per_split: POINTS_PER_SPLIT,
    step_seconds: STEP_MICROS / 1_000_000,
    shapes: results,
  };
}
