import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parsePythonFloatString, pythonFloat } from '../../src/grammar/python-float.ts';

describe('pythonFloat', () => {
  // Each row was checked against CPython 3's float().
  const rows: [unknown, number | undefined][] = [
    [1.5, 1.5],
    [true, 1],
    [false, 0],
    [null, undefined],
    [{}, undefined],
    ['1_000', 1000],
    ['_1', undefined],
    ['1__0', undefined],
    ['1_.5', undefined],
    ['1._5', undefined],
    [' 5\n', 5],
    ['\u00a05', 5],
    ['0x10', undefined],
    ['inf', Infinity],
    ['infinity', Infinity],
    ['infinit', undefined],
    ['Infinity', Infinity],
    ['nan', NaN],
    ['-nan', NaN],
    ['nAn', NaN],
    ['+inf', Infinity],
    ['-INF', -Infinity],
    ['1e5', 100_000],
    ['1E+05', 100_000],
    ['.5', 0.5],
    ['5.', 5],
    ['.', undefined],
    [' ', undefined],
    ['', undefined],
    ['1e', undefined],
    ['1e400', Infinity],
    ['-1e400', -Infinity],
    ['1_0e1_0', 1e11],
    ['0b1', undefined],
    ['1 2', undefined],
  ];
  for (const [input, expected] of rows) {
    it(`float(${JSON.stringify(input)}) is ${String(expected)}`, () => {
      assert.equal(pythonFloat(input), expected);
    });
  }

  it('reads strings alone too', () => {
    assert.equal(parsePythonFloatString('  -2.5e-1 '), -0.25);
  });
});
