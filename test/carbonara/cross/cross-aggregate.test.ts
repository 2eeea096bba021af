/**
 * Cross-metric aggregation against a plain reference written here: maps of timestamp → value,
 * arrays of cells, numpy's NaN-ignoring reductions spelt out. Random series have gaps, NaN
 * values and timestamps that do not line up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  crossAggregate,
  type CrossFill,
  type CrossOperation,
  type CrossReduceBase,
  type CrossReference,
} from '../../../src/carbonara/cross/index.ts';
import { seriesOf, type Series } from '../../../src/carbonara/series.ts';

const G = 60_000_000;
const BASES: readonly CrossReduceBase[] = [
  'mean',
  'median',
  'std',
  'min',
  'max',
  'sum',
  'var',
  'count',
];

/** Plain series: timestamp → value, ascending. */
type Plain = [number, number][];

const plainSeries = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 30 }),
      fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(NaN)),
    ),
    {
      maxLength: 25,
    },
  )
  .map((points) => {
    const byTs = new Map(points.map(([slot, value]) => [slot * G, value]));
    return [...byTs].sort((a, b) => a[0] - b[0]);
  });

const toSeries = (plain: Plain): Series =>
  seriesOf(
    plain.map(([ts]) => ts),
    plain.map(([, v]) => v),
  );

function reduceCells(base: CrossReduceBase, cells: readonly number[]): number {
  const present = cells.filter((v) => !Number.isNaN(v));
  const n = present.length;
  const sum = present.reduce((a, b) => a + b, 0);
  const mean = sum / n;
  const variance = present.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const sorted = [...present].sort((a, b) => a - b);
  switch (base) {
    case 'sum':
      return sum;
    case 'count':
      return n;
    case 'mean':
      return n === 0 ? NaN : mean;
    case 'var':
      return n === 0 ? NaN : variance;
    case 'std':
      return n === 0 ? NaN : Math.sqrt(variance);
    case 'min':
      return n === 0 ? NaN : (sorted[0] as number);
    case 'max':
      return n === 0 ? NaN : (sorted[n - 1] as number);
    case 'median':
      return n === 0 ? NaN : ((sorted[(n - 1) >> 1] as number) + (sorted[n >> 1] as number)) / 2;
  }
}

/** The reference grid: union of timestamps, one row of cells per timestamp. */
function referenceGrid(
  series: readonly Plain[],
  fill: CrossFill | undefined,
): { times: number[]; rows: number[][] } {
  const times = [...new Set(series.flatMap((s) => s.map(([ts]) => ts)))].sort((a, b) => a - b);
  const missing = typeof fill === 'number' ? fill : NaN;
  const columns = series.map((s) => {
    const byTs = new Map(s);
    const column = times.map((ts) => byTs.get(ts) ?? missing);
    const forward = () => {
      let last = NaN;
      for (let i = 0; i < column.length; i++) {
        if (Number.isNaN(column[i])) column[i] = last;
        else last = column[i] as number;
      }
    };
    const backward = () => {
      let next = NaN;
      for (let i = column.length - 1; i >= 0; i--) {
        if (Number.isNaN(column[i])) column[i] = next;
        else next = column[i] as number;
      }
    };
    if (fill === 'ffill') forward();
    if (fill === 'bfill') backward();
    if (fill === 'full_ffill') {
      forward();
      backward();
    }
    if (fill === 'full_bfill') {
      backward();
      forward();
    }
    return column;
  });
  return { times, rows: times.map((_, i) => columns.map((column) => column[i] as number)) };
}

const keysOf = (count: number): CrossReference[] =>
  Array.from({ length: count }, (_, i) => [`m${i}`, 'mean']);
const leaf = (count: number): CrossOperation => ({ kind: 'metric', references: keysOf(count) });

const fills = fc.constantFrom<CrossFill>(
  'dropna',
  'null',
  0,
  -3.5,
  'ffill',
  'bfill',
  'full_ffill',
  'full_bfill',
);
const dropsInvalid = (fill: CrossFill): boolean => fill !== 'null' && typeof fill !== 'number';

/** [ts, value] pairs of a result, for comparison (NaN kept as NaN: deepEqual treats NaN as equal). */
const pairs = (series: Series): [number, number][] =>
  Array.from(series.timestamps, (ts, i) => [ts, series.values[i] as number]);

function close(actual: [number, number][], expected: [number, number][]): void {
  assert.equal(
    actual.length,
    expected.length,
    `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`,
  );
  for (const [i, [ts, value]] of expected.entries()) {
    const [gotTs, got] = actual[i] as [number, number];
    assert.equal(gotTs, ts);
    if (Number.isNaN(value)) assert.ok(Number.isNaN(got));
    else
      assert.ok(Math.abs(got - value) <= 1e-9 * Math.max(1, Math.abs(value)), `${got} vs ${value}`);
  }
}

describe('crossAggregate', () => {
  it('aggregates across series as numpy does, for every method, rate and fill', () => {
    fc.assert(
      fc.property(
        fc.array(plainSeries, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...BASES),
        fc.boolean(),
        fills,
        (series, base, rate, fill) => {
          const operation: CrossOperation = {
            kind: 'aggregate',
            method: { base, rate },
            operand: leaf(series.length),
          };
          const result = crossAggregate(
            operation,
            [{ granularity: G, series: series.map(toSeries) }],
            {
              keys: keysOf(series.length),
              fill,
              neededOverlap: 0,
            },
          );
          assert.equal(result.aggregated, true);
          const { times, rows } = referenceGrid(series, fill);
          let expected: [number, number][] = times.map((ts, i) => [
            ts,
            reduceCells(base, rows[i] as number[]),
          ]);
          if (rate)
            expected = expected
              .slice(1)
              .map(([ts, v], i) => [ts, v - (expected[i] as [number, number])[1]]);
          if (dropsInvalid(fill)) expected = expected.filter(([, v]) => Number.isFinite(v));
          close(pairs(result.groups[0]?.series[0] as Series), expected);
        },
      ),
    );
  });

  it('rolls a window along each series', () => {
    fc.assert(
      fc.property(
        fc.array(plainSeries, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...BASES),
        fc.integer({ min: 1, max: 4 }),
        (series, base, window) => {
          const { times, rows } = referenceGrid(series, 'null');
          fc.pre(window <= times.length);
          const operation: CrossOperation = {
            kind: 'rolling',
            method: { base, rate: false },
            window,
            operand: leaf(series.length),
          };
          const result = crossAggregate(
            operation,
            [{ granularity: G, series: series.map(toSeries) }],
            {
              keys: keysOf(series.length),
              fill: 'null',
              neededOverlap: 0,
            },
          );
          assert.equal(result.aggregated, false);
          for (const [column] of series.entries()) {
            const values = rows.map((row) => row[column] as number);
            const expected: [number, number][] = times
              .slice(window - 1)
              .map((ts, i) => [ts, reduceCells(base, values.slice(i, i + window))]);
            close(pairs(result.groups[0]?.series[column] as Series), expected);
          }
        },
      ),
    );
  });

  it('combines two series cell by cell into one, and broadcasts numbers', () => {
    fc.assert(
      fc.property(
        plainSeries,
        plainSeries,
        fc.double({ min: -10, max: 10, noNaN: true }),
        (a, b, k) => {
          const keys = keysOf(2);
          const operation: CrossOperation = {
            kind: 'binary',
            operator: 'sub',
            left: {
              kind: 'binary',
              operator: 'mul',
              left: { kind: 'metric', references: [keys[0] as CrossReference] },
              right: { kind: 'number', value: k },
            },
            right: { kind: 'metric', references: [keys[1] as CrossReference] },
          };
          const result = crossAggregate(
            operation,
            [{ granularity: G, series: [toSeries(a), toSeries(b)] }],
            {
              keys,
              fill: 'null',
              neededOverlap: 0,
            },
          );
          assert.equal(result.aggregated, true);
          const { times, rows } = referenceGrid([a, b], 'null');
          const expected: [number, number][] = times.map((ts, i) => {
            const [x, y] = rows[i] as [number, number];
            return [ts, x * k - y];
          });
          close(pairs(result.groups[0]?.series[0] as Series), expected);
        },
      ),
    );
  });

  it('trims unbounded sides to the overlap and checks the percentage', () => {
    fc.assert(
      fc.property(
        fc.array(plainSeries, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 100 }),
        (series, needed) => {
          const { times, rows } = referenceGrid(series, undefined);
          const overlapping = rows.flatMap((row, i) =>
            row.every((v) => !Number.isNaN(v)) ? [i] : [],
          );
          const run = () =>
            crossAggregate(
              {
                kind: 'aggregate',
                method: { base: 'sum', rate: false },
                operand: leaf(series.length),
              },
              [{ granularity: G, series: series.map(toSeries) }],
              { keys: keysOf(series.length), neededOverlap: needed },
            );
          if (overlapping.length === 0) {
            if (needed > 0)
              assert.throws(run, { name: 'UnaggregableSeriesError', message: 'No overlap' });
            return;
          }
          const first = overlapping[0] as number;
          const last = overlapping.at(-1) as number;
          const percent = (overlapping.length * 100) / (last - first + 1);
          if (percent < needed) {
            assert.throws(run, /of datapoints overlap in this timespan/);
            return;
          }
          const expected: [number, number][] = times
            .slice(first, last + 1)
            .map((ts, i) => [ts, reduceCells('sum', rows[first + i] as number[])]);
          close(pairs(run().groups[0]?.series[0] as Series), expected);
        },
      ),
    );
  });

  it('answers coarsest granularity first and keeps a resample granularity', () => {
    const fine = seriesOf([0, G / 2, G, (3 * G) / 2], [1, 2, 3, 4]);
    const coarse = seriesOf([0], [5]);
    const result = crossAggregate(
      { kind: 'resample', method: 'sum', sampling: G, operand: leaf(1) },
      [
        { granularity: G / 2, series: [fine] },
        { granularity: G, series: [coarse] },
      ],
      { keys: keysOf(1), fill: 'dropna', neededOverlap: 0 },
    );
    assert.deepEqual(
      result.groups.map(({ granularity, series }) => [granularity, pairs(series[0] as Series)]),
      [
        [G, [[0, 5]]],
        [
          G,
          [
            [0, 3],
            [G, 7],
          ],
        ],
      ],
    );
  });
});
