/**
 * Policies: the archive policies with what each costs a metric (points kept, and bytes before
 * compression), and the rules that give new metrics their policy.
 */
import { h, notice, replace, table } from '../dom.ts';
import { granularitySeconds } from '../metric-read.ts';
import { shortDuration } from '../time.ts';
import type { PageDefinition } from './page.ts';

interface PolicyJson {
  readonly name: string;
  readonly back_window: number;
  readonly aggregation_methods: readonly string[];
  readonly definition: readonly {
    readonly granularity: number | string;
    readonly points: number;
    readonly timespan: number | string;
  }[];
}

interface RuleJson {
  readonly name: string;
  readonly metric_pattern: string;
  readonly archive_policy_name: string;
}

/**
 * Bytes a stored point takes before compression (an 8-byte value; its time is implied by its
 * place); stored splits are smaller, by how regular the series is.
 */
const POINT_BYTES = 8;

/** Points a metric keeps under a policy: every granularity's points, for each method. */
export function policyPoints(policy: PolicyJson): number {
  const perMethod = policy.definition.reduce((total, item) => total + item.points, 0);
  return perMethod * policy.aggregation_methods.length;
}

function bytes(count: number): string {
  if (count >= 1 << 20) return `${(count / (1 << 20)).toFixed(1)} MiB`;
  if (count >= 1 << 10) return `${(count / (1 << 10)).toFixed(1)} KiB`;
  return `${count} B`;
}

export const policiesPage: PageDefinition = {
  path: 'policies',
  title: 'Policies',
  render({ api }) {
    const element = h('div', 'policies-page');
    void Promise.all([
      api.get<PolicyJson[]>('v1/archive_policy'),
      api.get<RuleJson[]>('v1/archive_policy_rule'),
    ]).then(
      ([policies, rules]) => {
        replace(
          element,
          h('h2', null, 'Archive policies'),
          table(
            [
              'policy',
              'granularity × points (timespan)',
              'methods',
              'back window',
              'points per metric',
              'bytes per metric, before compression',
            ],
            policies.map((policy) => {
              const points = policyPoints(policy);
              return [
                policy.name,
                policy.definition
                  .map((item) => {
                    const seconds = granularitySeconds(item.granularity);
                    return `${shortDuration(seconds)} × ${item.points} (${shortDuration(seconds * item.points)})`;
                  })
                  .join(', '),
                policy.aggregation_methods.join(' '),
                String(policy.back_window),
                points.toLocaleString(),
                h(
                  'span',
                  { attrs: { title: `${POINT_BYTES} bytes a point before compression` } },
                  bytes(points * POINT_BYTES),
                ),
              ];
            }),
          ),
          h('h2', null, 'Rules'),
          rules.length === 0
            ? h('p', 'hint', 'No rules: metrics get the policy they are created with.')
            : table(
                ['rule', 'metric pattern', 'policy'],
                rules.map((rule) => [
                  rule.name,
                  h('code', null, rule.metric_pattern),
                  rule.archive_policy_name,
                ]),
              ),
        );
      },
      (error: unknown) => {
        replace(element, notice('error', (error as Error).message));
      },
    );
    return { element };
  },
};
