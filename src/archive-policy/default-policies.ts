/**
 * The archive policies and the rule that `orzo upgrade` creates on an empty index, as
 * `gnocchi-upgrade` does: `bool`, `low`, `medium` and `high`, and a catch-all rule to `low`.
 */
import type { ArchivePolicyRule } from './archive-policy-rule.ts';
import { createArchivePolicy, type ArchivePolicy } from './archive-policy.ts';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The default policies, in Gnocchi's order, with the configured default methods. */
export function defaultArchivePolicies(
  defaultAggregationMethods: readonly string[],
): readonly ArchivePolicy[] {
  const options = { defaultAggregationMethods };
  return Object.freeze([
    createArchivePolicy(
      {
        name: 'bool',
        back_window: 3600,
        definition: [{ granularity: 1, timespan: 365 * DAY }],
        aggregation_methods: ['last'],
      },
      options,
    ),
    createArchivePolicy(
      { name: 'low', definition: [{ granularity: 5 * MINUTE, timespan: 30 * DAY }] },
      options,
    ),
    createArchivePolicy(
      {
        name: 'medium',
        definition: [
          { granularity: MINUTE, timespan: 7 * DAY },
          { granularity: HOUR, timespan: 365 * DAY },
        ],
      },
      options,
    ),
    createArchivePolicy(
      {
        name: 'high',
        definition: [
          { granularity: 1, timespan: HOUR },
          { granularity: MINUTE, timespan: 7 * DAY },
          { granularity: HOUR, timespan: 365 * DAY },
        ],
      },
      options,
    ),
  ]);
}

/** The rule created with the default policies: every metric without a policy gets `low`. */
export const DEFAULT_ARCHIVE_POLICY_RULE: ArchivePolicyRule = Object.freeze({
  name: 'default',
  metricPattern: '*',
  archivePolicyName: 'low',
});
