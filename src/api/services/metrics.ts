/**
 * Metric operations as Gnocchi's REST layer performs them: creation (checking name and unit, and
 * choosing the archive policy by rule when none is named), filtered and paginated listings with
 * each metric's policy, and lookups by an id from the URL that check the caller's rights.
 */
import { randomUUID } from 'node:crypto';

import { requireArchivePolicyRule, type ArchivePolicy } from '../../archive-policy/index.ts';
import {
  MetricNotFoundError,
  type Indexer,
  type Metric,
  type MetricFilter,
} from '../../indexer/index.ts';
import type { Resource } from '../../resource/index.ts';
import type { Authorizer } from '../auth/auth.ts';
import { metricPolicyTarget, type MetricWithPolicy } from '../views/metric-json.ts';
import {
  METRIC_DEFAULT_SORTS,
  parseMetricSorts,
  parsePageRequest,
  type PageRequest,
  type QueryArgs,
} from '../arguments/pagination.ts';
import { InvalidMetricError } from '../http/request-errors.ts';
import { normalizeUuid, transformResourceId } from '../../grammar/index.ts';
import { checkMetricNaming, metricAttachments } from './resource-metrics.ts';
import { findArchivePolicy } from './archive-policies.ts';

/** A metric as a client sends it to `POST /v1/metric`. */
export interface MetricInput {
  readonly archive_policy_name?: string;
  readonly name?: string;
  readonly unit?: string;
  readonly resource_id?: string;
}

/** The filters of `GET /v1/metric`. */
export interface MetricListQuery {
  readonly id?: string;
  readonly name?: string;
  readonly unit?: string;
  readonly archive_policy_name?: string;
  readonly creator?: string;
  readonly user_id?: string;
  readonly project_id?: string;
  readonly status?: 'active' | 'delete';
}

/** A page of metrics and what was asked for, for the `Link` header. */
export interface MetricPage {
  readonly metrics: readonly MetricWithPolicy[];
  readonly page: PageRequest;
}

/**
 * Creates a metric for `creator`; its policy is the one named, else the first matching rule's.
 * With a `resource_id` (a UUID or an external id, transformed for the creator) the metric is
 * attached to that resource under its name; throws `ResourceNotFoundError` when there is none.
 */
export async function createMetricFromInput(
  indexer: Pick<Indexer, 'listArchivePolicyRules' | 'createMetric' | 'attachMetrics' | 'getMetric'>,
  creator: string,
  input: MetricInput,
): Promise<Metric> {
  const name = input.name ?? null;
  checkMetricNaming(name, input.unit);
  if (input.resource_id !== undefined) {
    if (name === null) {
      throw new InvalidMetricError('Name cannot be null if resource_id is not null', {
        attribute: 'name',
      });
    }
    const resourceId = transformResourceId(input.resource_id, creator);
    const request = {
      ...(input.archive_policy_name === undefined
        ? {}
        : { archivePolicyName: input.archive_policy_name }),
      ...(input.unit === undefined ? {} : { unit: input.unit }),
    };
    const attachments = await metricAttachments(indexer, { [name]: request });
    const resource = await indexer.attachMetrics('generic', resourceId, attachments);
    const metric = await indexer.getMetric(resource.metrics[name] ?? '');
    if (metric === undefined) throw new MetricNotFoundError(name);
    return metric;
  }
  const archivePolicyName =
    input.archive_policy_name ??
    requireArchivePolicyRule(await indexer.listArchivePolicyRules(), name).archivePolicyName;
  return indexer.createMetric({
    id: randomUUID(),
    name,
    unit: input.unit ?? null,
    archivePolicyName,
    creator,
  });
}

/** A page of active metrics matching the query's filters, with their policies. */
export async function listMetricsPage(
  indexer: Pick<Indexer, 'listMetrics' | 'getArchivePolicy'>,
  auth: Pick<Authorizer, 'visibleMetrics'>,
  query: MetricListQuery & QueryArgs,
  maxLimit: number,
): Promise<MetricPage> {
  const page = parsePageRequest(query, maxLimit, METRIC_DEFAULT_SORTS);
  const sort = parseMetricSorts(page.sorts);
  const filter = metricFilter(query);
  if (filter === undefined) return { metrics: [], page };
  const marker =
    page.marker === undefined ? {} : { marker: normalizeUuid(page.marker) ?? page.marker };
  const visibleTo = auth.visibleMetrics();
  const metrics = await indexer.listMetrics({
    filter,
    limit: page.limit,
    sort,
    ...marker,
    ...(visibleTo === undefined ? {} : { visibleTo }),
  });
  return { metrics: await withArchivePolicies(indexer, metrics), page };
}

/** The metric an id of the URL names, if the caller may see it. */
export async function getMetricDetails(
  indexer: Pick<Indexer, 'getMetric' | 'getArchivePolicy' | 'getResource'>,
  auth: Pick<Authorizer, 'enforce'>,
  id: string,
): Promise<MetricWithPolicy & { readonly resource: Resource | undefined }> {
  const metric = await findMetric(indexer, id);
  const resource =
    metric.resourceId === null
      ? undefined
      : await indexer.getResource('generic', metric.resourceId);
  auth.enforce('get metric', {
    ...metricPolicyTarget(metric),
    ...(resource === undefined ? {} : { 'resource.project_id': resource.projectId }),
  });
  const archivePolicy = await findArchivePolicy(indexer, metric.archivePolicyName);
  return { metric, archivePolicy, resource };
}

/** Marks the metric an id of the URL names for deletion, if the caller may delete it. */
export async function deleteMetricById(
  indexer: Pick<Indexer, 'getMetric' | 'deleteMetric'>,
  auth: Pick<Authorizer, 'enforce'>,
  id: string,
): Promise<void> {
  const metric = await findMetric(indexer, id);
  auth.enforce('delete metric', metricPolicyTarget(metric));
  await indexer.deleteMetric(metric.id);
}

/** The active metric of an id as written in a URL; throws `MetricNotFoundError` naming it so. */
export async function findMetric(indexer: Pick<Indexer, 'getMetric'>, id: string): Promise<Metric> {
  const uuid = normalizeUuid(id);
  const metric = uuid === undefined ? undefined : await indexer.getMetric(uuid);
  if (metric === undefined) throw new MetricNotFoundError(id);
  return metric;
}

/**
 * The indexer filter of a listing, or undefined when nothing can match: Gnocchi lists only active
 * metrics, so `status=delete` finds none, nor does an `id` that is not a UUID. `user_id` and
 * `project_id` stand for the creator `user:project`, on top of any `creator` given.
 */
function metricFilter(query: MetricListQuery): MetricFilter | undefined {
  const id = query.id === undefined ? undefined : normalizeUuid(query.id);
  if (query.status === 'delete' || (query.id !== undefined && id === undefined)) return undefined;
  const combined =
    query.user_id === undefined && query.project_id === undefined
      ? undefined
      : `${query.user_id ?? ''}:${query.project_id ?? ''}`;
  if (combined !== undefined && query.creator !== undefined && combined !== query.creator) {
    return undefined;
  }
  const creator = combined ?? query.creator;
  return {
    ...(id === undefined ? {} : { id }),
    ...(query.name === undefined ? {} : { name: query.name }),
    ...(query.unit === undefined ? {} : { unit: query.unit }),
    ...(query.archive_policy_name === undefined
      ? {}
      : { archivePolicyName: query.archive_policy_name }),
    ...(creator === undefined ? {} : { creator }),
  };
}

/** Each metric with its policy, reading each policy once. */
export async function withArchivePolicies(
  indexer: Pick<Indexer, 'getArchivePolicy'>,
  metrics: readonly Metric[],
): Promise<MetricWithPolicy[]> {
  const policies = new Map<string, Promise<ArchivePolicy>>();
  const policyOf = (name: string): Promise<ArchivePolicy> => {
    const known = policies.get(name);
    if (known !== undefined) return known;
    const loading = findArchivePolicy(indexer, name);
    policies.set(name, loading);
    return loading;
  };
  return Promise.all(
    metrics.map(async (metric) => ({
      metric,
      archivePolicy: await policyOf(metric.archivePolicyName),
    })),
  );
}
