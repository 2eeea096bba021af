import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FillLimitExceededError,
  fillSeries,
  MAX_FILL_POINTS,
  seriesOf,
  type FilledSeries,
} from '../../src/carbonara/index.ts';

const S = 1_000_000;
const M = 60 * S;

/** The points as `[seconds, value]`, null where filled with null. */
function points(series: FilledSeries): [number, number | null][] {
  return [...series.timestamps].map((ts, i) => [
    ts / S,
    series.nulls?.[i] === 1 ? null : (series.values[i] as number),
  ]);
}

describe('fillSeries', () => {
  const gappy = seriesOf([0, 2 * M, 5 * M], [1, NaN, 3]);

  it('fills the missing buckets between the first and last points with a number', () => {
    assert.deepEqual(points(fillSeries(gappy, { fill: 0, granularity: M })), [
      [0, 1],
      [60, 0],
      [120, NaN],
      [180, 0],
      [240, 0],
      [300, 3],
    ]);
  });

  it('fills with null, kept apart from stored NaN', () => {
    const filled = fillSeries(gappy, { fill: null, granularity: M });
    assert.deepEqual(points(filled), [
      [0, 1],
      [60, null],
      [120, NaN],
      [180, null],
      [240, null],
      [300, 3],
    ]);
  });

  it('extends to the bucket of start and to the last bucket before stop', () => {
    const series = seriesOf([2 * M], [5]);
    const filled = fillSeries(series, { fill: -1, granularity: M, start: 30 * S, stop: 4 * M });
    assert.deepEqual(points(filled), [
      [0, -1],
      [60, -1],
      [120, 5],
      [180, -1],
    ]);
    const ragged = fillSeries(series, { fill: -1, granularity: M, stop: 4 * M + 1 });
    assert.deepEqual(points(ragged).at(-1), [240, -1]);
  });

  it('fills a whole empty range when both start and stop are given, and nothing otherwise', () => {
    const empty = seriesOf([], []);
    assert.deepEqual(
      points(fillSeries(empty, { fill: 7, granularity: M, start: 0, stop: 2 * M })),
      [
        [0, 7],
        [60, 7],
      ],
    );
    assert.deepEqual(points(fillSeries(empty, { fill: 7, granularity: M, start: 0 })), []);
    assert.deepEqual(points(fillSeries(empty, { fill: 7, granularity: M, stop: M })), []);
    assert.deepEqual(points(fillSeries(empty, { fill: 7, granularity: M, start: M, stop: M })), []);
  });

  it('returns a full series as it is', () => {
    const full = seriesOf([0, M, 2 * M], [1, 2, 3]);
    assert.equal(fillSeries(full, { fill: 0, granularity: M }), full);
  });

  it('steps by calendar periods for a calendar resample', () => {
    const month = (m: number) => Date.UTC(2015, m, 1) * 1000;
    const series = seriesOf([month(1), month(4)], [1, 2]);
    const filled = fillSeries(series, {
      fill: 0,
      granularity: 'M',
      start: Date.UTC(2014, 11, 15) * 1000,
      stop: month(6),
    });
    assert.deepEqual(
      [...filled.timestamps].map((ts) => new Date(ts / 1000).toISOString().slice(0, 7)),
      ['2014-12', '2015-01', '2015-02', '2015-03', '2015-04', '2015-05', '2015-06'],
    );
    assert.deepEqual([...filled.values], [0, 0, 1, 0, 0, 2, 0]);
  });

  it('drops NaN points with dropna, and fills nothing', () => {
    const dropped = fillSeries(gappy, { fill: 'dropna', granularity: M, start: 0, stop: 10 * M });
    assert.deepEqual(points(dropped), [
      [0, 1],
      [300, 3],
    ]);
    const clean = seriesOf([0], [1]);
    assert.equal(fillSeries(clean, { fill: 'dropna', granularity: M }), clean);
  });

  it(`refuses to add more than ${MAX_FILL_POINTS} points`, () => {
    const series = seriesOf([0], [1]);
    const fits = fillSeries(series, { fill: 0, granularity: S, stop: (MAX_FILL_POINTS + 1) * S });
    assert.equal(fits.timestamps.length, MAX_FILL_POINTS + 1);
    assert.throws(
      () => fillSeries(series, { fill: 0, granularity: S, stop: (MAX_FILL_POINTS + 2) * S }),
      (error) =>
        error instanceof FillLimitExceededError &&
        error.limit === 100000 &&
        error.granularity === S,
    );
    assert.throws(
      () => fillSeries(series, { fill: 0, granularity: S, start: 0, stop: 1e15 }),
      FillLimitExceededError,
    );
  });
});
