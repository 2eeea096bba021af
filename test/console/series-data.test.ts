import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  aggregatesSeries,
  alignSeries,
  measurePoints,
  seriesCsv,
} from '../../src/console/series-data.ts';

const T0 = '2026-12-06T10:00:00+00:00';
const T1 = '2026-12-06T10:01:00+00:00';
const T2 = '2026-12-06T10:02:00+00:00';
const ms = (time: string): number => Date.parse(time);

describe('measurePoints', () => {
  it('turns the API triples into [ms, value] points', () => {
    assert.deepEqual(
      measurePoints([
        [T0, 60, 1.5],
        [T1, 60, -2],
      ]),
      [
        [ms(T0), 1.5],
        [ms(T1), -2],
      ],
    );
  });
});

describe('aggregatesSeries', () => {
  it('labels the series of metric references by metric and method', () => {
    const series = aggregatesSeries({
      measures: { 'id-a': { mean: [[T0, 60, 1]] }, 'id-b': { max: [[T1, 60, 2]] } },
    });
    assert.deepEqual(
      series.map((one) => one.label),
      ['id-a/mean', 'id-b/max'],
    );
    assert.deepEqual(series[1]!.points, [[ms(T1), 2]]);
  });

  it('reads an aggregated answer and skips the references of a resource search', () => {
    const series = aggregatesSeries({
      references: [{ id: 'r1', metrics: { cpu: 'id-a' } }],
      measures: { aggregated: [[T0, 60, 3]] },
    });
    assert.deepEqual(series, [{ label: 'aggregated', points: [[ms(T0), 3]] }]);
  });

  it('prefixes grouped answers with the group', () => {
    const series = aggregatesSeries([
      { group: { host: 'web-1' }, measures: { measures: { aggregated: [[T0, 60, 1]] } } },
      { group: { host: 'web-2' }, measures: { measures: { aggregated: [] } } },
    ]);
    assert.deepEqual(
      series.map((one) => [one.label, one.points.length]),
      [
        ['host=web-1/aggregated', 1],
        ['host=web-2/aggregated', 0],
      ],
    );
  });

  it('labels resource mode by resource, metric and method', () => {
    const series = aggregatesSeries({
      references: [],
      measures: { r1: { cpu: { mean: [[T0, 60, 1]] } } },
    });
    assert.deepEqual(
      series.map((one) => one.label),
      ['r1/cpu/mean'],
    );
  });
});

describe('alignSeries', () => {
  it('puts every series on the union of times, with null where one has no point', () => {
    const table = alignSeries([
      {
        label: 'a',
        points: [
          [ms(T1), 1],
          [ms(T0), 0],
        ],
      },
      { label: 'b', points: [[ms(T2), 5]] },
    ]);
    assert.deepEqual(table.times, [ms(T0), ms(T1), ms(T2)]);
    assert.deepEqual(table.columns, [
      [0, 1, null],
      [null, null, 5],
    ]);
  });
});

describe('seriesCsv', () => {
  it('writes a UTC time column and one quoted column per series', () => {
    const csv = seriesCsv([
      { label: 'web-1/cpu', points: [[ms(T0), 1.25]] },
      { label: 'say "hi", then', points: [[ms(T1), 2]] },
    ]);
    assert.equal(
      csv,
      'time,web-1/cpu,"say ""hi"", then"\r\n' +
        '2026-12-06T10:00:00.000Z,1.25,\r\n' +
        '2026-12-06T10:01:00.000Z,,2\r\n',
    );
  });
});
