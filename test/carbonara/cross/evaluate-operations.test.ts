/**
 * Every operator of the evaluator on a small grid, against values numpy gives for the same
 * inputs (a column [−3, 0.5, NaN, 4] against [2, 0.5, 1, −8]).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  buildGrid,
  evaluateOperation,
  type CrossBinaryOperator,
  type CrossOperation,
  type CrossReference,
  type CrossUnaryOperator,
} from '../../../src/carbonara/cross/index.ts';
import { seriesOf } from '../../../src/carbonara/series.ts';

const S = 1_000_000;
const TIMES = [0, 60 * S, 120 * S, 240 * S];
const A: CrossReference = ['a', 'mean'];
const B: CrossReference = ['b', 'mean'];
const input = {
  grid: buildGrid([seriesOf(TIMES, [-3, 0.5, NaN, 4]), seriesOf(TIMES, [2, 0.5, 1, -8])], NaN),
  granularity: 60 * S,
  keys: [A, B],
};
const a: CrossOperation = { kind: 'metric', references: [A] };
const b: CrossOperation = { kind: 'metric', references: [B] };

function values(node: CrossOperation): number[] {
  const result = evaluateOperation(node, input);
  if (result.scalar !== undefined) assert.fail(`a number: ${result.scalar}`);
  return Array.from(result.grid.values);
}

describe('evaluateOperation', () => {
  const binary: [CrossBinaryOperator, number[]][] = [
    ['eq', [0, 1, 0, 0]],
    ['ne', [1, 0, 1, 1]],
    ['lt', [1, 0, 0, 0]],
    ['le', [1, 1, 0, 0]],
    ['gt', [0, 0, 0, 1]],
    ['ge', [0, 1, 0, 1]],
    // NOTE: numpy.mod takes the divisor's sign: -3 mod 2 is 1, 4 mod -8 is -4.
    ['mod', [1, 0, NaN, -4]],
    ['add', [-1, 1, NaN, -4]],
    ['sub', [-5, 0, NaN, 12]],
    ['mul', [-6, 0.25, NaN, -32]],
    ['div', [-1.5, 1, NaN, -0.5]],
    ['pow', [9, Math.SQRT1_2, NaN, 4 ** -8]],
    ['clip_min', [2, 0.5, NaN, 4]],
    ['clip_max', [-3, 0.5, NaN, -8]],
    // NOTE: numpy.fmax ignores a NaN operand.
    ['max', [2, 0.5, 1, 4]],
  ];
  for (const [operator, expected] of binary) {
    it(`applies ${operator} cell by cell, two series giving one`, () => {
      const result = evaluateOperation({ kind: 'binary', operator, left: a, right: b }, input);
      assert.equal(result.aggregated, true);
      assert.deepEqual(values({ kind: 'binary', operator, left: a, right: b }), expected);
    });
  }

  const unary: [CrossUnaryOperator, number[]][] = [
    ['abs', [3, 0.5, NaN, 4]],
    ['neg', [3, -0.5, NaN, -4]],
    ['cos', [Math.cos(-3), Math.cos(0.5), NaN, Math.cos(4)]],
    ['sin', [Math.sin(-3), Math.sin(0.5), NaN, Math.sin(4)]],
    ['tan', [Math.tan(-3), Math.tan(0.5), NaN, Math.tan(4)]],
    ['floor', [-3, 0, NaN, 4]],
    ['ceil', [-3, 1, NaN, 4]],
    ['rateofchange', [3.5, NaN, NaN]],
    // NOTE: per second; the last step spans 120 s.
    ['rateofchangesec', [NaN, 3.5 / 60, NaN, NaN]],
  ];
  for (const [operator, expected] of unary) {
    it(`applies ${operator}, keeping the series apart`, () => {
      const node: CrossOperation = { kind: 'unary', operator, operand: a };
      assert.equal(evaluateOperation(node, input).aggregated, false);
      assert.deepEqual(values(node), expected);
    });
  }

  it('drops the first timestamp with rateofchange and keeps them with rateofchangesec', () => {
    const rate = evaluateOperation({ kind: 'unary', operator: 'rateofchange', operand: a }, input);
    const perSecond = evaluateOperation(
      { kind: 'unary', operator: 'rateofchangesec', operand: a },
      input,
    );
    assert.deepEqual(rate.scalar === undefined && Array.from(rate.grid.timestamps), TIMES.slice(1));
    assert.deepEqual(
      perSecond.scalar === undefined && Array.from(perSecond.grid.timestamps),
      TIMES,
    );
  });

  it('clips between bounds, numbers or series, and broadcasts one column', () => {
    const both: CrossOperation = { kind: 'metric', references: [A, B] };
    assert.deepEqual(
      values({
        kind: 'clip',
        operand: both,
        min: { kind: 'number', value: 0 },
        max: { kind: 'number', value: 1 },
      }),
      [0, 0.5, NaN, 1, 1, 0.5, 1, 0],
    );
    assert.deepEqual(values({ kind: 'binary', operator: 'sub', left: both, right: a }), [
      0,
      0,
      NaN,
      0,
      5,
      0,
      NaN,
      -12,
    ]);
    const numbers = evaluateOperation(
      {
        kind: 'binary',
        operator: 'add',
        left: { kind: 'number', value: 1 },
        right: { kind: 'number', value: 2 },
      },
      input,
    );
    assert.deepEqual(numbers, { scalar: 3, aggregated: false });
  });

  it('refuses operands of different widths and a reduction of a number', () => {
    const C: CrossReference = ['c', 'mean'];
    const three = {
      ...input,
      grid: buildGrid(
        [0, 1, 2].map(() => seriesOf(TIMES, [1, 2, 3, 4])),
        NaN,
      ),
      keys: [A, B, C],
    };
    const pair: CrossOperation = { kind: 'metric', references: [A, B] };
    const all: CrossOperation = { kind: 'metric', references: [A, B, C] };
    assert.throws(
      () => evaluateOperation({ kind: 'binary', operator: 'add', left: pair, right: all }, three),
      {
        name: 'UnaggregableSeriesError',
        message: "The operands of 'add' hold 2 and 3 series",
      },
    );
    const rolled: CrossOperation = {
      kind: 'rolling',
      method: { base: 'mean', rate: false },
      window: 2,
      operand: pair,
    };
    assert.throws(
      () =>
        evaluateOperation({ kind: 'binary', operator: 'add', left: pair, right: rolled }, input),
      {
        name: 'UnaggregableSeriesError',
        message: "Can't compute timeseries with different granularity or timestamps in 'add'",
      },
    );
    assert.throws(
      () =>
        evaluateOperation(
          {
            kind: 'aggregate',
            method: { base: 'sum', rate: false },
            operand: { kind: 'number', value: 1 },
          },
          input,
        ),
      { name: 'UnaggregableSeriesError' },
    );
  });
});
