import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  ALL_AGGREGATION_METHODS,
  isAggregationMethod,
} from '../../src/carbonara/aggregation-method.ts';
import { UnknownAggregationMethodError } from '../../src/carbonara/errors.ts';
import { InvalidArchivePolicyError } from '../../src/archive-policy/errors.ts';
import {
  isAggregationMethodEntry,
  resolveAggregationMethods,
} from '../../src/archive-policy/resolve-aggregation-methods.ts';

const DEFAULTS = ['mean', 'min', 'max', 'sum', 'std', 'count'];
const sorted = (names: readonly string[]) => [...names].sort();

describe('resolveAggregationMethods (§1.3)', () => {
  const rows: [entries: string[], expect: readonly string[]][] = [
    [['*'], sorted(ALL_AGGREGATION_METHODS)],
    [['last'], ['last']],
    [['*', '-mean'], sorted(ALL_AGGREGATION_METHODS.filter((name) => name !== 'mean'))],
    [
      ['-mean', '-last'],
      ['count', 'max', 'min', 'std', 'sum'],
    ],
    [['+12pct'], sorted([...DEFAULTS, '12pct'])],
    [['+rate:last'], sorted([...DEFAULTS, 'rate:last'])],
    [[], sorted(DEFAULTS)],
    [
      ['rate:mean', 'rate:last'],
      ['rate:last', 'rate:mean'],
    ],
    [['mean', 'mean'], ['mean']],
    [['*', '+mean'], sorted(ALL_AGGREGATION_METHODS)],
    [['mean', '*'], sorted(ALL_AGGREGATION_METHODS)],
    // Gnocchi stores the literal "-max" and "+sum" here; the operations apply instead
    [
      ['mean', '-max', '+sum'],
      ['mean', 'sum'],
    ],
    [['mean', 'max', '-max'], ['mean']],
    [['+99pct', 'last', '-last'], ['99pct']],
    // operations apply in input order
    [['+median', '-median'], sorted(DEFAULTS)],
    [['-mean', '+mean'], sorted(DEFAULTS)],
    [['-mean', '-min', '-max', '-sum', '-std', '-count'], []],
  ];
  for (const [entries, expect] of rows) {
    it(`resolves ${JSON.stringify(entries)}`, () => {
      assert.deepEqual(resolveAggregationMethods(entries, DEFAULTS), expect);
    });
  }

  it('refuses unknown entries, naming each once', () => {
    assert.throws(() => resolveAggregationMethods(['wtf', 'mean', '+nope', 'wtf'], DEFAULTS), {
      name: 'InvalidArchivePolicyError',
      message: "Invalid value for aggregation_methods: {'wtf', '+nope'}",
    });
    for (const entry of ['-*', '+*', 'p95', '100pct', '0pct', 'rate:*', '', 'MEAN', '--mean']) {
      assert.equal(isAggregationMethodEntry(entry), false, entry);
      assert.throws(() => resolveAggregationMethods([entry], DEFAULTS), InvalidArchivePolicyError);
    }
  });

  it('refuses a default that is not a method name', () => {
    assert.throws(
      () => resolveAggregationMethods([], ['mean', 'avg']),
      UnknownAggregationMethodError,
    );
  });

  it('never stores anything but method names, sorted and unique', () => {
    const name = fc.constantFrom(...ALL_AGGREGATION_METHODS);
    const entry = fc.oneof(
      name,
      name.map((n) => `+${n}`),
      name.map((n) => `-${n}`),
      fc.constant('*'),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        const methods = resolveAggregationMethods(entries, DEFAULTS);
        assert.ok(methods.every((method) => isAggregationMethod(method)));
        assert.deepEqual(methods, [...new Set(methods)].sort());
      }),
    );
  });
});
