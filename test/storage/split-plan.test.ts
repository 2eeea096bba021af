import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { seriesOf } from '../../src/carbonara/index.ts';
import { retentionCutoff } from '../../src/storage/retention-cutoff.ts';
import {
  expiredSplits,
  mayHaveExpiredSplits,
  mergeBundle,
  planSplits,
} from '../../src/storage/split-plan.ts';
import { toPoints } from '../carbonara/reference.ts';
import { HOUR, MINUTE, S, T0, testPolicy } from './support/storage-fixtures.ts';

const POLICY = testPolicy(
  [
    [S, 60],
    [MINUTE, null],
  ],
  0,
  ['count', 'max'],
);

describe('retentionCutoff', () => {
  it('keeps exactly `points` buckets up to the newest raw point’s bucket', () => {
    const [seconds, minutes] = POLICY.definition;
    assert.equal(retentionCutoff(seconds!, T0 + 7200.5 * S), T0 + 7140 * S + 1);
    assert.equal(retentionCutoff(minutes!, T0), undefined);
  });
});

describe('planSplits', () => {
  it('cuts each granularity’s fresh aggregates into bundles holding every method', () => {
    const merged = seriesOf([T0 + 3590 * S, T0 + 3599 * S, T0 + 3601 * S], [1, 5, 2]);
    const plans = planSplits(POLICY, merged, T0 + 3599 * S);
    const cutoff = T0 + 3541 * S + 1;
    assert.deepEqual(
      plans.map((p) => [p.name, [...p.methods.keys()], p.cutoff]),
      [
        [`agg_1000000_${T0}`, ['count', 'max'], cutoff],
        [`agg_1000000_${T0 + HOUR}`, ['count', 'max'], cutoff],
        [`agg_60000000_${T0}`, ['count', 'max'], undefined],
      ],
    );
    // NOTE: the buckets before the one of `recomputeFrom` are left out.
    assert.deepEqual(toPoints(plans[0]!.methods.get('max')!), [{ ts: T0 + 3599 * S, value: 5 }]);
    assert.deepEqual(toPoints(plans[1]!.methods.get('max')!), [{ ts: T0 + 3601 * S, value: 2 }]);
    assert.deepEqual(toPoints(plans[2]!.methods.get('count')!), [
      { ts: T0 + 59 * MINUTE, value: 2 },
      { ts: T0 + HOUR, value: 1 },
    ]);
  });

  it('leaves out the points past retention', () => {
    const merged = seriesOf([T0 + 3500 * S, T0 + 3601 * S], [1, 2]);
    const [seconds] = planSplits(POLICY, merged, T0);
    assert.equal(seconds?.name, `agg_1000000_${T0 + HOUR}`);
  });

  it('merges fresh points over stored ones, drops expired points and unknown methods', () => {
    const [plan] = planSplits(POLICY, seriesOf([T0 + 3601 * S], [2]), T0 + 3601 * S);
    const stored = new Map([
      ['max', seriesOf([T0 + 3500 * S, T0 + 3560 * S, T0 + 3601 * S], [9, 8, 7])],
      ['mean', seriesOf([T0 + 3560 * S], [1])],
    ]);
    const merged = mergeBundle(stored, plan!, POLICY.aggregationMethods);
    assert.deepEqual([...merged.keys()], ['count', 'max']);
    assert.deepEqual(toPoints(merged.get('max')!), [
      { ts: T0 + 3560 * S, value: 8 },
      { ts: T0 + 3601 * S, value: 2 },
    ]);
  });
});

describe('expiry', () => {
  it('lists only when the oldest kept split of a granularity moved, or nothing is known', () => {
    assert.equal(mayHaveExpiredSplits(POLICY, T0 + 3000 * S, T0 + 3500 * S), false);
    assert.equal(mayHaveExpiredSplits(POLICY, T0 + 3500 * S, T0 + 3700 * S), true);
    assert.equal(mayHaveExpiredSplits(POLICY, undefined, T0), true);
    const forever = testPolicy([[S, null]], 0, ['count']);
    assert.equal(mayHaveExpiredSplits(forever, undefined, T0), false);
  });

  it('expires the bundles below the split of the oldest kept point only', () => {
    const names = [
      'raw',
      `agg_1000000_${T0}`,
      `agg_1000000_${T0 + HOUR}`,
      `agg_1000000_${T0 + 2 * HOUR}`,
      `agg_60000000_${T0 - 1000 * HOUR}`,
    ];
    assert.deepEqual(expiredSplits(POLICY, names, T0 + 2 * HOUR + 30 * S), [`agg_1000000_${T0}`]);
  });
});
