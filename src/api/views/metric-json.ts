/**
 * Metrics as the API shows them. Gnocchi's shape depends on the endpoint: creation answers with
 * `resource_id` and `archive_policy_name`, listings with `resource_id` and the whole
 * `archive_policy`, a single metric with `resource` and the whole `archive_policy`. The creator is
 * split into `created_by_user_id` and `created_by_project_id` at its first `:` (the project is `""`
 * with basic auth).
 */
import type { Static } from '@sinclair/typebox';

import type { ArchivePolicy } from '../../archive-policy/index.ts';
import type { Metric } from '../../indexer/index.ts';
import type { Resource } from '../../resource/index.ts';
import { toArchivePolicyJson } from './archive-policy-json.ts';
import { creatorParts, resourceToJson } from './resource-json.ts';
import type { CREATED_METRIC_JSON, LISTED_METRIC_JSON, METRIC_DETAILS_JSON } from './schemas.ts';

/** A metric as `POST /v1/metric` answers it. */
export type CreatedMetricJson = Static<typeof CREATED_METRIC_JSON>;
/** A metric as listings show it. */
export type ListedMetricJson = Static<typeof LISTED_METRIC_JSON>;
/** A metric as `GET /v1/metric/<id>` shows it. */
export type MetricDetailsJson = Static<typeof METRIC_DETAILS_JSON>;

/** A metric with its archive policy. */
export interface MetricWithPolicy {
  readonly metric: Metric;
  readonly archivePolicy: ArchivePolicy;
}

/** The representation answering `POST /v1/metric`. */
export function createdMetricToJson(metric: Metric): CreatedMetricJson {
  return {
    ...identity(metric),
    resource_id: metric.resourceId,
    archive_policy_name: metric.archivePolicyName,
    ...creatorParts(metric.creator),
  };
}

/** The representation in metric listings. */
export function listedMetricToJson({ metric, archivePolicy }: MetricWithPolicy): ListedMetricJson {
  return {
    ...identity(metric),
    resource_id: metric.resourceId,
    archive_policy: toArchivePolicyJson(archivePolicy),
    ...creatorParts(metric.creator),
  };
}

/** The representation answering `GET /v1/metric/<id>`. */
export function metricDetailsToJson({
  metric,
  archivePolicy,
  resource,
}: MetricWithPolicy & { readonly resource?: Resource | undefined }): MetricDetailsJson {
  return {
    ...identity(metric),
    // NOTE: the resource without its metrics, as Gnocchi shows it (generic columns only).
    resource: resource === undefined ? null : resourceWithoutMetrics(resource),
    archive_policy: toArchivePolicyJson(archivePolicy),
    ...creatorParts(metric.creator),
  };
}

/** The metric as a policy target: its JSON, flattened with `.` as Gnocchi's `enforce` does. */
export function metricPolicyTarget(metric: Metric): Record<string, string | null> {
  return {
    id: metric.id,
    creator: metric.creator,
    name: metric.name,
    unit: metric.unit,
    resource_id: metric.resourceId,
    archive_policy_name: metric.archivePolicyName,
    ...creatorParts(metric.creator),
  };
}

function resourceWithoutMetrics(resource: Resource): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(resourceToJson(resource, undefined)).filter(([key]) => key !== 'metrics'),
  );
}

function identity(metric: Metric) {
  return { id: metric.id, creator: metric.creator, name: metric.name, unit: metric.unit };
}
