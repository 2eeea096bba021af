import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { BoundTimeSerie } from '../../src/carbonara/bound-time-serie.ts';
import { recomputeBuckets } from '../../src/carbonara/recompute-buckets.ts';
import { sortMeasures } from '../../src/carbonara/measures.ts';
import { mergeSeries } from '../../src/carbonara/merge-series.ts';
import {
  MICROS_PER_SECOND as S,
  emptySeries,
  seriesOf,
  type Series,
} from '../../src/carbonara/series.ts';
import { referenceAggregate, referenceSortMeasures, toPoints, type Point } from './reference.ts';

const at = (hh: number, mm: number, ss: number): number => Date.UTC(2015, 2, 6, hh, mm, ss) * 1000;

function fold(
  bound: BoundTimeSerie,
  ...timestamps: number[]
): ReturnType<BoundTimeSerie['setValues']> {
  return bound.setValues(
    sortMeasures(
      Float64Array.from(timestamps),
      Float64Array.from(timestamps, (_t, i) => i),
    ),
  );
}

describe('BoundTimeSerie', () => {
  // Observed on Gnocchi with granularities {1 s, 60 s}: the block size is 60 s.
  const table = [
    { backWindow: 0, late: at(14, 35, 1), accepted: true },
    { backWindow: 0, late: at(14, 34, 59), accepted: false },
    { backWindow: 1, late: at(14, 34, 59), accepted: true },
    { backWindow: 1, late: at(14, 33, 59), accepted: false },
  ];
  for (const { backWindow, late, accepted } of table) {
    it(`with back window ${backWindow}, ${new Date(late / 1000).toISOString()} is ${accepted ? 'kept' : 'dropped'}`, () => {
      const bound = fold(
        BoundTimeSerie.empty({ blockSize: 60 * S, backWindow }),
        at(14, 35, 10),
      ).bound;
      const update = fold(bound, late);
      assert.equal(update.accepted, accepted ? 1 : 0);
      assert.equal(update.dropped, accepted ? 0 : 1);
      assert.equal(update.merged.timestamps.includes(late), accepted);
    });
  }

  it('truncates to whole blocks before the newest point', () => {
    const empty = BoundTimeSerie.empty({ blockSize: 60 * S, backWindow: 1 });
    const update = fold(empty, at(14, 30, 0), at(14, 33, 30), at(14, 34, 0), at(14, 35, 10));
    assert.equal(update.merged.timestamps.length, 4);
    assert.deepEqual([...update.bound.series.timestamps], [at(14, 34, 0), at(14, 35, 10)]);
    assert.equal(update.bound.firstBlockTimestamp(), at(14, 34, 0));
    assert.equal(update.dropped, 0, 'an empty buffer accepts anything');
  });

  it('lets newer measures replace stored ones at the same timestamp', () => {
    const empty = BoundTimeSerie.empty({ blockSize: 60 * S, backWindow: 0 });
    const first = empty.setValues(seriesOf([at(14, 0, 1), at(14, 0, 2)], [1, 2])).bound;
    const second = first.setValues(seriesOf([at(14, 0, 2)], [-5]));
    assert.deepEqual([...second.bound.series.values], [1, -5]);
    assert.equal(second.recomputeFrom, at(14, 0, 2));
  });

  it('recomputes from the first merged point when late points were dropped', () => {
    const empty = BoundTimeSerie.empty({ blockSize: 60 * S, backWindow: 0 });
    const bound = fold(empty, at(14, 1, 5), at(14, 1, 30)).bound;
    const update = fold(bound, at(13, 0, 0), at(14, 1, 40));
    assert.equal(update.dropped, 1);
    assert.equal(update.recomputeFrom, at(14, 1, 5));
  });

  it('refuses nonsense bounds', () => {
    assert.throws(() => BoundTimeSerie.empty({ blockSize: 0, backWindow: 0 }), RangeError);
    assert.throws(() => BoundTimeSerie.empty({ blockSize: S, backWindow: -1 }), RangeError);
    assert.throws(() => BoundTimeSerie.empty({ blockSize: S, backWindow: 0.5 }), RangeError);
  });

  it('sorts a batch and keeps the lowest value of a repeated timestamp', () => {
    const series = sortMeasures(
      Float64Array.from([at(14, 0, 2), at(14, 0, 1), at(14, 0, 1), at(14, 0, 1)]),
      Float64Array.from([7, 3, 9, -4]),
    );
    assert.deepEqual(toPoints(series), [
      { ts: at(14, 0, 1), value: -4 },
      { ts: at(14, 0, 2), value: 7 },
    ]);
  });
});

const T0 = at(0, 0, 0);
const batch = fc.array(
  fc.record({
    ts: fc.integer({ min: 0, max: 6 * 3600 }).map((s) => T0 + s * S),
    value: fc.integer({ min: -100, max: 100 }),
  }),
  { minLength: 1, maxLength: 80 },
);
const METHODS = ['mean', 'sum', 'count', 'min', 'max', 'std', 'median', 'first', 'last', '90pct'];

describe('BoundTimeSerie folding batches', () => {
  it('stores the aggregates of every accepted point exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(batch, { minLength: 1, maxLength: 8 }),
        fc.nat(3),
        (batches, backWindow) => {
          const granularities = [60 * S, 300 * S, 3600 * S];
          const aggregations = granularities.flatMap((granularity) =>
            METHODS.map((method) => ({ granularity, method })),
          );
          let bound = BoundTimeSerie.empty({ blockSize: 3600 * S, backWindow });
          let stored: Series[] = aggregations.map(() => emptySeries());
          const accepted = new Map<number, number>();
          let dropped = 0;
          for (const raw of batches) {
            const sorted = referenceSortMeasures(raw);
            const last = Math.max(...bound.series.timestamps);
            const cutoff =
              bound.series.timestamps.length === 0
                ? -Infinity
                : Math.floor(last / 3600e6) * 3600e6 - backWindow * 3600e6;
            for (const p of sorted) {
              if (p.ts < cutoff) dropped++;
              else accepted.set(p.ts, p.value);
            }
            const update = bound.setValues(
              sortMeasures(
                Float64Array.from(raw, (p) => p.ts),
                Float64Array.from(raw, (p) => p.value),
              ),
            );
            const fresh = recomputeBuckets(update.merged, aggregations, update.recomputeFrom);
            stored = stored.map((old, i) => mergeSeries(old, fresh[i]!));
            bound = update.bound;
            dropped -= update.dropped;
          }
          assert.equal(dropped, 0, 'dropped counts agree');
          const all: Point[] = [...accepted]
            .sort((a, b) => a[0] - b[0])
            .map(([ts, value]) => ({ ts, value }));
          aggregations.forEach(({ granularity, method }, i) => {
            assert.deepEqual(
              toPoints(stored[i]!),
              referenceAggregate(all, granularity, method),
              `${method}@${granularity}`,
            );
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
