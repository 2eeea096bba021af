/**
 * Metrics named on a resource: a client's `{name: uuid | {archive_policy_name?, unit?}}` turned
 * into what the indexer attaches (an existing metric, or a new one whose policy is the one named
 * or the first matching rule's), with Gnocchi's checks of names and units.
 */
import { randomUUID } from 'node:crypto';

import { requireArchivePolicyRule } from '../../archive-policy/index.ts';
import { normalizeUuid } from '../../grammar/index.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { MetricAttachment, MetricRequest } from '../../resource/index.ts';
import { InvalidMetricError } from '../http/request-errors.ts';

/** The longest unit, the width of Gnocchi's column. */
export const MAX_METRIC_UNIT_LENGTH = 31;

/** The longest metric name, the width of Gnocchi's column (which it does not check itself). */
export const MAX_METRIC_NAME_LENGTH = 255;

/** Checks a metric's name and unit as Gnocchi does; throws `InvalidMetricError`. */
export function checkMetricNaming(name: string | null, unit: string | undefined): void {
  if (name !== null && Array.from(name).length > MAX_METRIC_NAME_LENGTH) {
    throw new InvalidMetricError(`length of value must be at most ${MAX_METRIC_NAME_LENGTH}`, {
      path: ['name'],
    });
  }
  if (unit !== undefined && Array.from(unit).length > MAX_METRIC_UNIT_LENGTH) {
    throw new InvalidMetricError(`length of value must be at most ${MAX_METRIC_UNIT_LENGTH}`, {
      path: ['unit'],
    });
  }
  if (name?.includes('/')) throw new InvalidMetricError("'/' is not supported in metric name");
}

/** What to attach for each requested name; reads the rules once, only if a policy is missing. */
export async function metricAttachments(
  indexer: Pick<Indexer, 'listArchivePolicyRules'>,
  requests: Readonly<Record<string, MetricRequest>>,
): Promise<Record<string, MetricAttachment>> {
  const attachments: Record<string, MetricAttachment> = {};
  let rules: Awaited<ReturnType<Indexer['listArchivePolicyRules']>> | undefined;
  for (const [name, request] of Object.entries(requests)) {
    if (typeof request === 'string') {
      const id = normalizeUuid(request);
      if (id === undefined) {
        throw new InvalidMetricError('not a valid value', { path: ['metrics', name] });
      }
      checkMetricNaming(name, undefined);
      attachments[name] = { kind: 'existing', id };
      continue;
    }
    checkMetricNaming(name, request.unit);
    let archivePolicyName = request.archivePolicyName;
    if (archivePolicyName === undefined) {
      rules ??= await indexer.listArchivePolicyRules();
      archivePolicyName = requireArchivePolicyRule(rules, name).archivePolicyName;
    }
    attachments[name] = {
      kind: 'new',
      id: randomUUID(),
      archivePolicyName,
      unit: request.unit ?? null,
    };
  }
  return attachments;
}
