import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { archivePolicyToJson } from '../../src/archive-policy/archive-policy-json.ts';
import { checkArchivePolicyUpdate } from '../../src/archive-policy/archive-policy-update.ts';
import { createArchivePolicy } from '../../src/archive-policy/archive-policy.ts';
import {
  InvalidArchivePolicyError,
  UnsupportedArchivePolicyChangeError,
} from '../../src/archive-policy/errors.ts';

const OPTIONS = { defaultAggregationMethods: ['mean', 'max'] };
const medium = createArchivePolicy(
  {
    name: 'medium',
    back_window: 2,
    definition: [{ granularity: '1 second', points: 20 }, { granularity: '2 second' }],
  },
  OPTIONS,
);

describe('checkArchivePolicyUpdate (§1.5)', () => {
  it('changes retention and keeps methods and back window', () => {
    const updated = checkArchivePolicyUpdate(medium, [
      { granularity: '1 second', points: 50 },
      { granularity: '2 second' },
    ]);
    assert.deepEqual(archivePolicyToJson(updated), {
      name: 'medium',
      back_window: 2,
      definition: [
        { timespan: '0:00:50', granularity: '0:00:01', points: 50 },
        { timespan: null, granularity: '0:00:02', points: null },
      ],
      aggregation_methods: ['max', 'mean'],
    });
    assert.ok(Object.isFrozen(updated));
  });

  it('accepts the granularities in another order and keeps the new order', () => {
    const updated = checkArchivePolicyUpdate(medium, [
      { granularity: 2, timespan: '1 day' },
      { granularity: 1 },
    ]);
    assert.deepEqual(
      updated.definition.map((item) => [item.granularity, item.points]),
      [
        [2_000_000, 43_200],
        [1_000_000, null],
      ],
    );
  });

  it('changes the back window when one is given', () => {
    const definition = [{ granularity: 1, points: 20 }, { granularity: 2 }];
    assert.equal(checkArchivePolicyUpdate(medium, definition, 0).backWindow, 0);
    assert.equal(checkArchivePolicyUpdate(medium, definition, '5').backWindow, 5);
    assert.equal(checkArchivePolicyUpdate(medium, definition, null).backWindow, 2);
    assert.throws(() => checkArchivePolicyUpdate(medium, definition, -1), {
      message: 'value must be at least 0',
      path: ['back_window'],
    });
  });

  const unsupported: [name: string, definition: unknown[], message: string][] = [
    [
      'dropping a granularity',
      [{ granularity: '1 second', points: 50 }],
      'Archive policy medium does not support change: Cannot add or drop granularities',
    ],
    [
      'adding a granularity',
      [{ granularity: 1 }, { granularity: 2 }, { granularity: 3 }],
      'Archive policy medium does not support change: Cannot add or drop granularities',
    ],
    [
      'changing a granularity',
      [{ granularity: '5 second', points: 20 }, { granularity: '2 second' }],
      'Archive policy medium does not support change: 1.0 granularity interval was changed',
    ],
    [
      'changing the coarser granularity',
      [{ granularity: 1 }, { granularity: 0.5 }],
      'Archive policy medium does not support change: 1.0 granularity interval was changed',
    ],
    [
      'repeating a granularity',
      [{ granularity: 1 }, { granularity: 1 }],
      'Archive policy medium does not support change: 2.0 granularity interval was changed',
    ],
  ];
  for (const [name, definition, message] of unsupported) {
    it(`refuses ${name}`, () => {
      assert.throws(() => checkArchivePolicyUpdate(medium, definition), {
        name: UnsupportedArchivePolicyChangeError.name,
        code: 'UNSUPPORTED_ARCHIVE_POLICY_CHANGE',
        archivePolicyName: 'medium',
        message,
      });
    });
  }

  it('checks the items themselves first', () => {
    assert.throws(
      () =>
        checkArchivePolicyUpdate(medium, [
          { granularity: '1 second', points: 50, timespan: '1 hour' },
          { granularity: '2 second' },
        ]),
      { name: 'InvalidArchivePolicyError', message: 'timespan ≠ granularity × points' },
    );
    assert.throws(() => checkArchivePolicyUpdate(medium, undefined), {
      message: 'required key not provided',
      path: ['definition'],
    });
    assert.throws(() => checkArchivePolicyUpdate(medium, []), InvalidArchivePolicyError);
  });
});
