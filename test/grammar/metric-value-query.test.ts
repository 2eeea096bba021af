import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidFilterError } from '../../src/grammar/errors.ts';
import { parseMetricValueQuery } from '../../src/grammar/metric-value-query.ts';

describe('parseMetricValueQuery', () => {
  const selects = (query: unknown, values: number[]): number[] => {
    const predicate = parseMetricValueQuery(query);
    return values.filter((value) => predicate(value));
  };
  const values = [-7, -1, 0, 1, 3, 4, 10, NaN];

  it('compares the value with a number under every spelling', () => {
    for (const op of ['=', '==', 'eq']) assert.deepEqual(selects({ [op]: 4 }, values), [4]);
    for (const op of ['<', 'lt']) assert.deepEqual(selects({ [op]: 0 }, values), [-7, -1]);
    for (const op of ['>=', '≥', 'ge']) assert.deepEqual(selects({ [op]: 4 }, values), [4, 10]);
    for (const op of ['!=', '≠', 'ne']) assert.equal(selects({ [op]: 4 }, values).length, 7);
  });

  it('does arithmetic on the value, Python style', () => {
    assert.deepEqual(selects({ '=': [{ '+': 1 }, 4] }, values), [3]);
    // NOTE: Python's floored modulo: -7 % 3 is 2, -1 % 3 is 2.
    assert.deepEqual(selects({ '=': [{ '%': 3 }, 2] }, values), [-7, -1]);
    assert.deepEqual(selects({ '=': [{ '**': 2 }, 16] }, values), [4]);
    assert.deepEqual(selects({ '>': [{ '×': 2 }, { '+': 5 }] }, values), [10]);
  });

  it('combines with and, or and not; a bare arithmetic node selects what is not 0', () => {
    assert.deepEqual(selects({ and: [{ '>': 0 }, { '<': 5 }] }, values), [1, 3, 4]);
    assert.deepEqual(selects({ '∨': [{ '<': -5 }, { '>': 5 }] }, values), [-7, 10]);
    assert.deepEqual(selects({ not: [{ '>': 0 }] }, values), [-7, -1, 0, NaN]);
    assert.deepEqual(selects({ '-': 1 }, values), [-7, -1, 0, 3, 4, 10, NaN]);
    assert.deepEqual(selects({ and: [] }, [1]), [1]);
    assert.deepEqual(selects({ or: [] }, [1]), []);
  });

  const refused: [unknown, string, (string | number)[]][] = [
    [[], 'expected a dictionary', []],
    [{}, 'length of value must be at least 1', []],
    [{ '=': 1, '<': 2 }, 'length of value must be at most 1', []],
    [{ like: 1 }, 'extra keys not allowed', ['like']],
    [{ '=': 'x' }, 'expected a number or a list of two operands', ['=']],
    [{ '=': [1] }, 'expected a number or a list of two operands', ['=']],
    [{ '=': [{ '?': 1 }, 1] }, 'extra keys not allowed', ['=', 0, '?']],
    [{ and: { '=': 1 } }, 'expected a list', ['and']],
    [{ not: [{ '=': 1 }, { '=': 2 }] }, "'not' takes a list of exactly one node", ['not']],
  ];
  for (const [query, message, path] of refused) {
    it(`refuses ${JSON.stringify(query)}`, () => {
      assert.throws(
        () => parseMetricValueQuery(query),
        (error: unknown) => {
          assert.ok(error instanceof InvalidFilterError);
          assert.equal(error.message, message);
          assert.deepEqual(error.path, path);
          return true;
        },
      );
    });
  }
});
