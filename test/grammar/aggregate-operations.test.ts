import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BINARY_SPELLINGS,
  operationReferences,
  operationsToJson,
  parseOperations,
  UNARY_SPELLINGS,
} from '../../src/grammar/aggregate-operations.ts';

const leaf = ['metric', 'a', 'mean'];

describe('parseOperations', () => {
  it('reads both forms into the same tree, coercing numbers', () => {
    const fromString = parseOperations('(+ (aggregate rate:max (metric (a mean) (b max))) 2)');
    const fromLists = parseOperations([
      '+',
      ['aggregate', 'rate:max', ['metric', ['a', 'mean'], ['b', 'max']]],
      '2',
    ]);
    assert.deepEqual(fromString, fromLists);
    assert.deepEqual(fromString, {
      kind: 'binary',
      operator: 'add',
      left: {
        kind: 'aggregate',
        method: { base: 'max', rate: true },
        operand: {
          kind: 'metric',
          references: [
            ['a', 'mean'],
            ['b', 'max'],
          ],
        },
      },
      right: { kind: 'number', value: 2 },
    });
  });

  it('knows every spelling of every operator', () => {
    for (const [spelling, operator] of Object.entries(BINARY_SPELLINGS)) {
      assert.deepEqual(parseOperations([spelling, leaf, 1]), {
        kind: 'binary',
        operator,
        left: { kind: 'metric', references: [['a', 'mean']] },
        right: { kind: 'number', value: 1 },
      });
    }
    for (const [spelling, operator] of Object.entries(UNARY_SPELLINGS)) {
      assert.deepEqual(parseOperations([spelling, leaf]), {
        kind: 'unary',
        operator,
        operand: { kind: 'metric', references: [['a', 'mean']] },
      });
    }
  });

  it('reads rolling windows and resample timespans as Python coerces them', () => {
    assert.equal((parseOperations(['rolling', 'mean', 2.7, leaf]) as { window: number }).window, 2);
    assert.equal((parseOperations(['rolling', 'mean', '3', leaf]) as { window: number }).window, 3);
    assert.equal(
      (parseOperations(['rolling', 'mean', true, leaf]) as { window: number }).window,
      1,
    );
    assert.equal(
      (parseOperations('(resample 95pct 1h (metric a mean))') as { sampling: number }).sampling,
      3_600_000_000,
    );
    assert.equal(
      (parseOperations(['resample', 'last', 60, leaf]) as { sampling: number }).sampling,
      60_000_000,
    );
  });

  it('reads clip with one or two bounds, and numbers where operands go', () => {
    assert.deepEqual(operationsToJson(parseOperations(['clip', leaf, 0])), ['clip', leaf, 0]);
    assert.deepEqual(operationsToJson(parseOperations(['clip', leaf, '0', '1e3'])), [
      'clip',
      leaf,
      0,
      1000,
    ]);
    assert.ok(
      Number.isNaN(
        (parseOperations(['+', leaf, 'nan']) as { right: { value: number } }).right.value,
      ),
    );
  });

  // Expected messages are those of Gnocchi's voluptuous schema (rest/aggregates/api.py).
  const refused: [unknown, string, (string | number)[]][] = [
    [[], 'Operation must not be empty', []],
    [3, "Expected a tuple/list, got a <class 'int'>", []],
    [1.5, "Expected a tuple/list, got a <class 'float'>", []],
    [{ a: 1 }, "Expected a tuple/list, got a <class 'dict'>", []],
    [null, "Expected a tuple/list, got a <class 'NoneType'>", []],
    [['metric'], 'Operation need at least one argument', []],
    ['((metric a mean))', 'Operation need at least one argument', []],
    ['()', 'Operation must not be empty', []],
    [['metric', 'a'], 'None', [0]],
    [['metric', 'a', 1], 'None', [0]],
    [['metric', 'a', 'mean', 'x'], 'None', [0]],
    [['metric', ['a', 1]], 'expected str', [0]],
    [['metric', ['a', 'mean'], ['b', 1]], 'expected str', [1]],
    [['metric', ['a', 'mean'], 5], 'None', [1]],
    [['metric', ['a', 'mean'], ['b'], ['c', 1]], 'None', [1]],
    [['foo', 'mean', leaf], "'foo' operation invalid", []],
    [['aggregate', 'nope', leaf], "'aggregate' operation invalid", []],
    [['aggregate', 'mean', ['foo', 'a', 'mean']], "'aggregate' operation invalid", []],
    [['aggregate', 'mean', leaf, 'x'], "'aggregate' operation invalid", []],
    [['aggregate', ['mean'], leaf], "'aggregate' operation invalid", []],
    [['rolling', 'mean', 0, leaf], "'rolling' operation invalid", []],
    [['rolling', 'mean', 'x', leaf], "'rolling' operation invalid", []],
    ['(rolling mean 2.5 (metric a mean))', "'rolling' operation invalid", []],
    [['resample', 'mean', 'abc', leaf], "'resample' operation invalid", []],
    [['resample', 'var', 60, leaf], "'resample' operation invalid", []],
    [['+', leaf, 'x'], "'+' operation invalid", []],
    [['+', leaf], "'+' operation invalid", []],
    [['abs', leaf, 1], "'abs' operation invalid", []],
    [[['metric', 'a'], 1], "'['metric', 'a']' operation invalid", []],
  ];
  for (const [document, message, path] of refused) {
    it(`refuses ${JSON.stringify(document)}: ${message}`, () => {
      assert.throws(
        () => parseOperations(document),
        (error: unknown) => {
          assert.equal((error as Error).name, 'InvalidOperationsError');
          assert.equal((error as Error).message, message);
          assert.deepEqual((error as { path: unknown }).path, path);
          return true;
        },
      );
    });
  }
});

describe('operationReferences', () => {
  it('lists each pair once, in order of appearance', () => {
    const tree = parseOperations([
      '-',
      ['metric', ['b', 'mean'], ['a', 'max']],
      ['clip', ['metric', 'b', 'mean'], 0, ['metric', 'c', 'mean']],
    ]);
    assert.deepEqual(operationReferences(tree), [
      ['b', 'mean'],
      ['a', 'max'],
      ['c', 'mean'],
    ]);
    assert.deepEqual(operationReferences(parseOperations(['+', 1, 2])), []);
  });
});
