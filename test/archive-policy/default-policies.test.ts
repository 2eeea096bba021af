import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { archivePolicyToJson } from '../../src/archive-policy/archive-policy-json.ts';
import { archivePolicyRuleToJson } from '../../src/archive-policy/archive-policy-rule.ts';
import {
  DEFAULT_ARCHIVE_POLICY_RULE,
  defaultArchivePolicies,
} from '../../src/archive-policy/default-policies.ts';

const DEFAULTS = ['mean', 'min', 'max', 'sum', 'std', 'count'];
const SORTED_DEFAULTS = ['count', 'max', 'mean', 'min', 'std', 'sum'];

describe('defaultArchivePolicies (§1.4)', () => {
  it('builds bool, low, medium and high as gnocchi-upgrade does', () => {
    assert.deepEqual(defaultArchivePolicies(DEFAULTS).map(archivePolicyToJson), [
      {
        name: 'bool',
        back_window: 3600,
        definition: [{ timespan: '365 days, 0:00:00', granularity: '0:00:01', points: 31_536_000 }],
        aggregation_methods: ['last'],
      },
      {
        name: 'low',
        back_window: 0,
        definition: [{ timespan: '30 days, 0:00:00', granularity: '0:05:00', points: 8640 }],
        aggregation_methods: SORTED_DEFAULTS,
      },
      {
        name: 'medium',
        back_window: 0,
        definition: [
          { timespan: '7 days, 0:00:00', granularity: '0:01:00', points: 10_080 },
          { timespan: '365 days, 0:00:00', granularity: '1:00:00', points: 8760 },
        ],
        aggregation_methods: SORTED_DEFAULTS,
      },
      {
        name: 'high',
        back_window: 0,
        definition: [
          { timespan: '1:00:00', granularity: '0:00:01', points: 3600 },
          { timespan: '7 days, 0:00:00', granularity: '0:01:00', points: 10_080 },
          { timespan: '365 days, 0:00:00', granularity: '1:00:00', points: 8760 },
        ],
        aggregation_methods: SORTED_DEFAULTS,
      },
    ]);
  });

  it('uses the configured default methods, except for bool', () => {
    const [bool, low] = defaultArchivePolicies(['median', 'rate:mean']);
    assert.deepEqual(bool?.aggregationMethods, ['last']);
    assert.deepEqual(low?.aggregationMethods, ['median', 'rate:mean']);
  });

  it('sends metrics without a policy to low', () => {
    assert.deepEqual(archivePolicyRuleToJson(DEFAULT_ARCHIVE_POLICY_RULE), {
      name: 'default',
      archive_policy_name: 'low',
      metric_pattern: '*',
    });
  });
});
