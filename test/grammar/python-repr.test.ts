import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pythonFloatRepr, pythonStrRepr } from '../../src/grammar/python-repr.ts';

describe('pythonFloatRepr', () => {
  // Expected strings are Python's repr(float).
  const rows: [value: number, text: string][] = [
    [1, '1.0'],
    [0.1, '0.1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [10 / 3, '3.3333333333333335'],
    [43.1, '43.1'],
    [12, '12.0'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [123456789012345680, '1.2345678901234568e+17'],
    [1e21, '1e+21'],
    [1e-4, '0.0001'],
    [1.5e-5, '1.5e-05'],
    [1e-7, '1e-07'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ];
  for (const [value, text] of rows) {
    it(`renders ${value} as ${text}`, () => {
      assert.equal(pythonFloatRepr(value), text);
    });
  }
});

describe('pythonStrRepr', () => {
  // Expected strings are Python's repr(str).
  const rows: [value: string, text: string][] = [
    ['wtf', "'wtf'"],
    ['', "''"],
    ["it's", `"it's"`],
    [`it's "x"`, `'it\\'s "x"'`],
    ['a\\b', "'a\\\\b'"],
    ['line\nbreak\ttab', "'line\\nbreak\\ttab'"],
    ['\u0001\u007f', "'\\x01\\x7f'"],
    ['✔éñ☃', "'✔éñ☃'"],
  ];
  for (const [value, text] of rows) {
    it(`renders ${JSON.stringify(value)} as ${text}`, () => {
      assert.equal(pythonStrRepr(value), text);
    });
  }
});
