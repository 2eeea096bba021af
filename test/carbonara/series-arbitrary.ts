/**
 * fast-check arbitraries of series for property tests: timestamps and values of the shapes that
 * stress the series format (regular, gapped, sparse, dense, near 2^53; any doubles, decimals,
 * walks, constant runs, wide integers, specials among decimals).
 */
import fc from 'fast-check';
import { seriesOf } from '../../src/carbonara/series.ts';
import type { Series } from '../../src/carbonara/series.ts';

/** Strictly increasing timestamps in [0, 2^53) of varied shapes. */
function timestampsArbitrary(maxLength: number): fc.Arbitrary<number[]> {
  const deltas = (delta: fc.Arbitrary<number>) =>
    fc.tuple(
      fc.integer({ min: 0, max: 2 ** 52 }),
      fc.array(delta, { maxLength: maxLength - 1, size: 'max' }),
    );
  const fromDeltas = ([first, steps]: [number, number[]]) => {
    let t = first;
    return [first, ...steps.map((step) => (t += step))];
  };
  return fc.oneof(
    fc.constant<number[]>([]),
    deltas(fc.constantFrom(10_000_000)).map(fromDeltas),
    deltas(
      fc.oneof(
        fc.constant(60_000_000),
        fc.integer({ min: 1, max: 100 }).map((k) => k * 60_000_000),
      ),
    ).map(fromDeltas),
    deltas(fc.integer({ min: 1, max: 2 ** 31 })).map(fromDeltas),
    deltas(fc.integer({ min: 1, max: 2 ** 40 })).map(fromDeltas),
    fc
      .uniqueArray(fc.maxSafeNat(), { maxLength, size: 'max' })
      .map((ts) => ts.sort((a, b) => a - b)),
  );
}

/** Values of varied shapes: any doubles, decimals, walks, constant runs and wide integers. */
function valuesArbitrary(length: number): fc.Arbitrary<number[]> {
  const exactly = <T>(value: fc.Arbitrary<T>) =>
    fc.array(value, { minLength: length, maxLength: length });
  const decimals = fc
    .tuple(fc.integer({ min: 0, max: 8 }), exactly(fc.integer({ min: -1e9, max: 1e9 })))
    .map(([e, ints]) => ints.map((i) => i / 10 ** e));
  const walk = fc
    .tuple(fc.integer({ min: 0, max: 3 }), exactly(fc.integer({ min: -2, max: 2 })))
    .map(([e, steps]) => {
      let value = 0;
      return steps.map(
        (step) => (value = Math.round((value + step / 10 ** e) * 10 ** e) / 10 ** e),
      );
    });
  const runs = fc
    .array(fc.tuple(fc.double(), fc.integer({ min: 1, max: 200 })), { minLength: 1 })
    .map((pairs) => {
      const flat = pairs.flatMap(([value, count]) => Array<number>(count).fill(value));
      while (flat.length < length) flat.push(...flat);
      return flat.slice(0, length);
    });
  const wide = exactly(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((i) => i * 2 ** 19));
  const special = fc.constantFrom(undefined, undefined, undefined, undefined, NaN, -0, Infinity);
  const sprinkled = fc
    .tuple(decimals, exactly(special))
    .map(([values, specials]) => values.map((v, i) => specials[i] ?? v));
  return fc.oneof(exactly(fc.double()), decimals, walk, runs, wide, sprinkled);
}

/** Series of up to `maxLength` points, mixing every timestamp shape with every value shape. */
export function seriesArbitrary(maxLength: number): fc.Arbitrary<Series> {
  return timestampsArbitrary(maxLength).chain((timestamps) =>
    valuesArbitrary(timestamps.length).map((values) => seriesOf(timestamps, values)),
  );
}
