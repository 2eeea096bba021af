import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseFill } from '../../../src/api/arguments/fill-argument.ts';
import { InvalidArgumentValueError } from '../../../src/api/http/request-errors.ts';

describe('parseFill', () => {
  it('reads floats as Python does, then null and dropna', () => {
    assert.equal(parseFill('0'), 0);
    assert.equal(parseFill('-1.5'), -1.5);
    assert.equal(parseFill(' 2e3 '), 2000);
    assert.ok(Number.isNaN(parseFill('nan')));
    assert.equal(parseFill('inf'), Infinity);
    assert.equal(parseFill('null'), null);
    assert.equal(parseFill('dropna'), 'dropna');
  });

  for (const text of ['', 'None', 'NULL', 'zero', '0x10', 'dropNA']) {
    it(`refuses ${JSON.stringify(text)}, naming the argument`, () => {
      assert.throws(
        () => parseFill(text),
        (error) =>
          error instanceof InvalidArgumentValueError &&
          error.argument === 'fill' &&
          error.message === "Must be a float, 'dropna' or 'null'",
      );
    });
  }
});
