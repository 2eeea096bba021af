import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDecimalExponent } from '../../../src/carbonara/codec/decimal-exponent.ts';

describe('findDecimalExponent', () => {
  const cases: [string, number[], number, number[]?][] = [
    ['integers', [100, -3, 0], 0, [100, -3, 0]],
    ['one decimal', [100.1, 99.9, 100], 1, [1001, 999, 1000]],
    ['the most decimals of any value', [0.5, 0.25, 0.125], 3, [500, 250, 125]],
    ['tiny decimals', [1e-22, 2e-22], 22, [1, 2]],
    ['integers of 50 bits', [2 ** 50, -(2 ** 50)], 0, [2 ** 50, -(2 ** 50)]],
    ['integers past 50 bits', [2 ** 50 + 2], -1],
    ['a sum that is not a short decimal', [0.1 + 0.2], -1],
    ['a third', [1 / 3], -1],
    ['negative zero', [1, -0], -1],
    ['negative zero after a decimal', [0.5, -0], -1],
    ['NaN', [1, NaN], -1],
    ['infinity', [Infinity], -1],
    ['a subnormal', [Number.MIN_VALUE], -1],
    ['nothing', [], 0, []],
  ];
  for (const [name, values, exponent, ints] of cases) {
    it(`finds ${exponent} for ${name}`, () => {
      const out = new Float64Array(values.length);
      assert.equal(findDecimalExponent(Float64Array.from(values), out), exponent);
      if (ints !== undefined) assert.deepEqual(Array.from(out), ints);
    });
  }

  it('checks a larger exponent against every value again', () => {
    const values = Float64Array.from([1, 2, 0.5, 3, 0.25]);
    const out = new Float64Array(values.length);
    assert.equal(findDecimalExponent(values, out), 2);
    assert.deepEqual(Array.from(out), [100, 200, 50, 300, 25]);
  });
});
