import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  fetchRange,
  resampleSeries,
  timespanCutoff,
  truncateToTimespan,
} from '../../src/carbonara/stored-aggregate.ts';
import { calendarPeriod, type CalendarGrouping } from '../../src/carbonara/calendar.ts';
import { BeforeEpochError, InvalidSamplingError } from '../../src/carbonara/errors.ts';
import { sortMeasures } from '../../src/carbonara/measures.ts';
import { MICROS_PER_SECOND as S, seriesOf } from '../../src/carbonara/series.ts';
import {
  POINTS_PER_SPLIT,
  nextSplitKey,
  splitKeyFor,
  splitSeries,
} from '../../src/carbonara/split-key.ts';
import { toPoints } from './reference.ts';

const iso = (text: string): number => Date.parse(text) * 1000;
const minutes = (...mins: number[]): ReturnType<typeof seriesOf> =>
  seriesOf(
    mins.map((m) => iso('2015-03-06T14:00:00Z') + m * 60 * S),
    mins.map((m) => m),
  );

describe('truncateToTimespan', () => {
  it('keeps points newer than the last minus the timespan, relative to the data', () => {
    const series = minutes(0, 1, 2, 3, 4, 5);
    assert.deepEqual([...truncateToTimespan(series, 3 * 60 * S).values], [3, 4, 5]);
    assert.equal(timespanCutoff(series, 3 * 60 * S), iso('2015-03-06T14:02:00Z') + 1);
    assert.deepEqual([...truncateToTimespan(series, 3 * 60 * S + 1).values], [2, 3, 4, 5]);
  });
  it('leaves unbounded or empty series alone', () => {
    const series = minutes(0, 1);
    assert.equal(truncateToTimespan(series, null), series);
    assert.equal(truncateToTimespan(minutes(), 60 * S).timestamps.length, 0);
    assert.equal(truncateToTimespan(series, 1).timestamps.length, 1);
  });
});

describe('fetchRange', () => {
  const series = minutes(0, 5, 10, 15);
  it('floors the start to the granularity and excludes the stop', () => {
    const start = iso('2015-03-06T14:07:00Z');
    const stop = iso('2015-03-06T14:15:00Z');
    assert.deepEqual([...fetchRange(series, 5 * 60 * S, start, stop).values], [5, 10]);
    assert.deepEqual([...fetchRange(series, 5 * 60 * S, start).values], [5, 10, 15]);
    assert.deepEqual([...fetchRange(series, 5 * 60 * S, undefined, stop).values], [0, 5, 10]);
    assert.deepEqual([...fetchRange(series, 5 * 60 * S, stop, start).values], []);
  });
});

describe('resampleSeries', () => {
  it('applies the same method to the stored points, unweighted', () => {
    const series = minutes(0, 1, 2, 5, 6);
    assert.deepEqual(
      toPoints(resampleSeries(series, 5 * 60 * S, 'mean')).map((p) => p.value),
      [1, 5.5],
    );
    assert.deepEqual(
      toPoints(resampleSeries(series, 5 * 60 * S, 'count')).map((p) => p.value),
      [3, 2],
    );
  });
  const calendar: { grouping: CalendarGrouping; at: string; start: string; end: string }[] = [
    { grouping: 'Y', at: '2015-03-06T14:33:57Z', start: '2015-01-01', end: '2016-01-01' },
    { grouping: 'H', at: '2015-03-06T14:33:57Z', start: '2015-01-01', end: '2015-07-01' },
    { grouping: 'H', at: '2015-07-01T00:00:00Z', start: '2015-07-01', end: '2016-01-01' },
    { grouping: 'Q', at: '2015-06-30T23:59:59Z', start: '2015-04-01', end: '2015-07-01' },
    { grouping: 'M', at: '2016-02-29T12:00:00Z', start: '2016-02-01', end: '2016-03-01' },
    { grouping: 'W', at: '2015-03-06T14:33:57Z', start: '2015-03-01', end: '2015-03-08' },
    { grouping: 'W', at: '2015-03-01T00:00:00Z', start: '2015-03-01', end: '2015-03-08' },
    { grouping: 'W', at: '2015-02-28T23:59:59Z', start: '2015-02-22', end: '2015-03-01' },
    { grouping: 'W', at: '1970-01-01T00:00:00Z', start: '1969-12-28', end: '1970-01-04' },
  ];
  for (const row of calendar) {
    it(`groups ${row.at} into the ${row.grouping} period from ${row.start} (UTC, weeks from Sunday)`, () => {
      const period = calendarPeriod(iso(row.at), row.grouping);
      assert.deepEqual(period, {
        start: iso(`${row.start}T00:00:00Z`),
        end: iso(`${row.end}T00:00:00Z`),
      });
    });
  }
  it('resamples by calendar month', () => {
    const series = seriesOf(
      ['2015-01-31T23:00:00Z', '2015-02-01T00:00:00Z', '2015-02-20T00:00:00Z'].map(iso),
      [1, 2, 4],
    );
    assert.deepEqual(toPoints(resampleSeries(series, 'M', 'sum')), [
      { ts: iso('2015-01-01T00:00:00Z'), value: 1 },
      { ts: iso('2015-02-01T00:00:00Z'), value: 6 },
    ]);
  });
  it('refuses rates on calendar groupings', () => {
    assert.throws(() => resampleSeries(minutes(0, 1), 'W', 'rate:mean'), InvalidSamplingError);
  });
});

describe('split keys', () => {
  it('are multiples of granularity × 3600 from the epoch', () => {
    assert.equal(POINTS_PER_SPLIT, 3600);
    assert.equal(splitKeyFor(iso('2015-03-06T14:33:57Z'), 60 * S), 1425600000 * S);
    assert.equal(splitKeyFor(iso('2015-03-06T14:33:57Z'), S), 1425650400 * S);
    assert.equal(nextSplitKey(1425600000 * S, 60 * S), (1425600000 + 216000) * S);
    assert.equal(splitKeyFor(iso('2015-03-06T14:33:57Z'), S / 2), 1425652200 * S);
  });
  it('cut a series at each key', () => {
    const g = 60 * S;
    const series = seriesOf(
      [0, 3599, 3600, 3600 * 5 + 1].map((i) => i * g),
      [0, 1, 2, 3],
    );
    const splits = splitSeries(series, g);
    assert.deepEqual(
      splits.map((s) => s.key / g),
      [0, 3600, 18000],
    );
    assert.deepEqual(
      splits.map((s) => [...s.series.values]),
      [[0, 1], [2], [3]],
    );
    assert.deepEqual(splitSeries(seriesOf([], []), g), []);
  });
});

describe('sortMeasures', () => {
  it('refuses timestamps before the epoch', () => {
    assert.throws(
      () => sortMeasures(Float64Array.of(5, -1), Float64Array.of(1, 2)),
      BeforeEpochError,
    );
    assert.throws(() => sortMeasures(Float64Array.of(NaN), Float64Array.of(1)), BeforeEpochError);
  });
  it('puts NaN after numbers when picking among duplicates', () => {
    const series = sortMeasures(Float64Array.of(1, 1), Float64Array.of(NaN, 3));
    assert.deepEqual([...series.values], [3]);
  });
  it('returns an already sorted batch as it is', () => {
    const timestamps = Float64Array.of(1, 2, 3);
    assert.equal(sortMeasures(timestamps, Float64Array.of(1, 2, 3)).timestamps, timestamps);
  });
});
