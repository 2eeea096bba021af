import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { policyPoints } from '../../src/console/pages/policies.ts';

describe('policyPoints', () => {
  it('counts every granularity’s points once per aggregation method', () => {
    const policy = {
      name: 'medium',
      back_window: 0,
      aggregation_methods: ['mean', 'max', 'min'],
      definition: [
        { granularity: 60, points: 10_080, timespan: 604_800 },
        { granularity: '1:00:00', points: 8_760, timespan: 31_536_000 },
      ],
    };
    assert.equal(policyPoints(policy), (10_080 + 8_760) * 3);
  });
});
