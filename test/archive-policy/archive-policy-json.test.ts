import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  archivePolicyToJson,
  restoreArchivePolicy,
} from '../../src/archive-policy/archive-policy-json.ts';
import { createArchivePolicy } from '../../src/archive-policy/archive-policy.ts';
import { InvalidArchivePolicyError } from '../../src/archive-policy/errors.ts';

const policy = createArchivePolicy(
  {
    name: 'low',
    definition: [{ granularity: '5 minutes', timespan: '30 days' }, { granularity: 3.6 }],
    aggregation_methods: ['max', 'min'],
  },
  { defaultAggregationMethods: ['mean'] },
);

describe('archivePolicyToJson', () => {
  it('renders Gnocchi’s shape, keys in Gnocchi’s order', () => {
    const json = archivePolicyToJson(policy);
    assert.equal(
      JSON.stringify(json),
      '{"name":"low","back_window":0,"definition":[' +
        '{"timespan":"30 days, 0:00:00","granularity":"0:05:00","points":8640},' +
        '{"timespan":null,"granularity":"0:00:03.600000","points":null}],' +
        '"aggregation_methods":["max","min"]}',
    );
  });
});

describe('restoreArchivePolicy', () => {
  it('restores a stored policy exactly, frozen', () => {
    const restored = restoreArchivePolicy(JSON.parse(JSON.stringify(policy)));
    assert.deepEqual(restored, policy);
    assert.ok(Object.isFrozen(restored));
    assert.ok(Object.isFrozen(restored.definition[0]));
  });

  const corrupt: [name: string, patch: Record<string, unknown>][] = [
    ['a missing name', { name: undefined }],
    ['a negative back window', { backWindow: -1 }],
    ['an empty definition', { definition: [] }],
    ['methods that are not strings', { aggregationMethods: [1] }],
    ['an unknown method', { aggregationMethods: ['+sum'] }],
    [
      'a fractional granularity',
      { definition: [{ granularity: 0.5, points: null, timespan: null }] },
    ],
    ['half a retention', { definition: [{ granularity: 1, points: 3, timespan: null }] }],
    ['an inconsistent timespan', { definition: [{ granularity: 2, points: 3, timespan: 5 }] }],
  ];
  for (const [name, patch] of corrupt) {
    it(`refuses ${name}`, () => {
      const stored = { ...JSON.parse(JSON.stringify(policy)), ...patch } as unknown;
      assert.throws(() => restoreArchivePolicy(stored), InvalidArchivePolicyError);
    });
  }

  it('refuses something that is not a policy at all', () => {
    assert.throws(() => restoreArchivePolicy(null), InvalidArchivePolicyError);
    assert.throws(() => restoreArchivePolicy('low'), InvalidArchivePolicyError);
  });
});
