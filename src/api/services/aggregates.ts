/**
 * `POST /v1/aggregates` as Gnocchi's `AggregatesController` answers it.
 *
 * Metric mode: the references are metric ids; each must exist and be readable by the caller.
 * Resource mode (`resource_type` + `search`): the references are globs matched against the metric
 * names of every resource the search finds (and the caller may see), each match one series; with
 * `groupby`, resources are sorted by the group keys and each group is aggregated on its own,
 * groups without a match left out.
 */
import {
  fnmatchCase,
  normalizeUuid,
  operationReferences,
  operationsToJson,
  type MetricReference,
  type OperationNode,
} from '../../grammar/index.ts';
import { ResourceTypeNotFoundError, type Indexer, type Metric } from '../../indexer/index.ts';
import type { Resource, ResourceType } from '../../resource/index.ts';
import type { Authorizer } from '../auth/auth.ts';
import {
  parseAggregatesArguments,
  type AggregatesArguments,
} from '../arguments/aggregates-arguments.ts';
import { parseAggregatesBody } from '../arguments/aggregates-body.ts';
import type { QueryArgs } from '../arguments/pagination.ts';
import {
  InvalidMetricReferencesError,
  MetricReferencesNotFoundError,
  NoMatchingMetricsError,
  OperationsWithoutMetricError,
} from '../http/aggregates-errors.ts';
import { renderAggregatedMeasures } from '../views/aggregates-json.ts';
import { listedMetricToJson, metricPolicyTarget } from '../views/metric-json.ts';
import { resourceToJson } from '../views/resource-json.ts';
import {
  aggregateReferences,
  type CrossReadContext,
  type ResolvedReference,
} from './cross-metric-read.ts';
import { withArchivePolicies } from './metrics.ts';
import { findAllResources, parseResourceSorts, RESOURCE_DEFAULT_SORT_ARGS } from './resources.ts';

/** What the endpoint needs. */
export interface AggregatesContext extends CrossReadContext {
  readonly indexer: Indexer;
  /** Where policies are read from: a short-lived cache in the API. */
  readonly archivePolicies: Pick<Indexer, 'getArchivePolicy'>;
  readonly auth: Authorizer;
  /** Now, in µs, for relative times. */
  readonly now: number;
}

/** Answers `POST /v1/aggregates` with its JSON text. */
export async function postAggregates(
  context: AggregatesContext,
  query: QueryArgs,
  body: unknown,
): Promise<string> {
  const args = parseAggregatesArguments(query, context.now, { dropnaByDefault: true });
  const { operations, resources } = parseAggregatesBody(body);
  const wanted = operationReferences(operations);
  if (wanted.length === 0) throw new OperationsWithoutMetricError(operationsToJson(operations));
  if (resources === undefined) {
    return aggregateMetrics(context, operations, wanted, args);
  }
  const type = await context.indexer.getResourceType(resources.type);
  if (type === undefined) throw new ResourceTypeNotFoundError(resources.type);
  const found = await findAllResources(context, type.name, resources.filter, {
    sort: parseResourceSorts(args.groupby.length > 0 ? args.groupby : RESOURCE_DEFAULT_SORT_ARGS),
    rule: 'search resource',
  });
  const names = [...new Set(wanted.map(([glob]) => glob))].sort();
  if (args.groupby.length === 0) {
    const answer = await aggregateResources(context, operations, wanted, found, type, args);
    if (answer === undefined) throw new NoMatchingMetricsError(names);
    return answer;
  }
  const groups: string[] = [];
  for (const group of groupResources(found, type, args.groupby)) {
    const answer = await aggregateResources(
      context,
      operations,
      wanted,
      group.resources,
      type,
      args,
    );
    if (answer !== undefined)
      groups.push(`{"group":${JSON.stringify(group.key)},"measures":${answer}}`);
  }
  if (groups.length === 0) throw new NoMatchingMetricsError(names);
  return `[${groups.join(',')}]`;
}

async function aggregateMetrics(
  context: AggregatesContext,
  operations: OperationNode,
  wanted: readonly MetricReference[],
  args: AggregatesArguments,
): Promise<string> {
  const ids = wanted.map(([ref]) => normalizeUuid(ref));
  if (ids.some((id) => id === undefined)) throw new InvalidMetricReferencesError(wanted);
  const distinct = [...new Set(ids as string[])];
  const metrics = await context.indexer.getMetrics(distinct);
  if (metrics.length !== distinct.length) {
    const known = new Set(metrics.map((metric) => metric.id));
    throw new MetricReferencesNotFoundError(distinct.filter((id) => !known.has(id)));
  }
  for (const metric of metrics) enforceRead(context.auth, metric);
  const withPolicies = await withArchivePolicies(context.archivePolicies, metrics);
  const byId = new Map(withPolicies.map((entry) => [entry.metric.id, entry]));
  const references = wanted.map(([ref, aggregation], index): ResolvedReference => {
    const { metric, archivePolicy } = byId.get(ids[index] as string) as (typeof withPolicies)[0];
    return { metric, policy: archivePolicy, aggregation, key: [ref, aggregation], name: metric.id };
  });
  const result = await aggregateReferences(context, references, operations, readOptions(args));
  const measures = renderAggregatedMeasures(result, references);
  if (!args.details) return `{"measures":${measures}}`;
  return `{"measures":${measures},"references":${JSON.stringify(withPolicies.map(listedMetricToJson))}}`;
}

/** The `{"measures": …}` answer over resources, or undefined when no metric matched. */
async function aggregateResources(
  context: AggregatesContext,
  operations: OperationNode,
  wanted: readonly MetricReference[],
  resources: readonly Resource[],
  type: ResourceType,
  args: AggregatesArguments,
): Promise<string | undefined> {
  const matches: { resource: Resource; name: string; id: string; key: MetricReference }[] = [];
  for (const resource of resources) {
    const names = Object.keys(resource.metrics).sort();
    for (const key of wanted) {
      for (const name of names) {
        if (fnmatchCase(name, key[0])) {
          matches.push({ resource, name, id: resource.metrics[name] as string, key });
        }
      }
    }
  }
  if (matches.length === 0) return undefined;
  const metrics = await context.indexer.getMetrics([...new Set(matches.map(({ id }) => id))]);
  const owners = new Map(matches.map(({ id, resource }) => [id, resource]));
  for (const metric of metrics) enforceRead(context.auth, metric, owners.get(metric.id));
  const withPolicies = new Map(
    (await withArchivePolicies(context.archivePolicies, metrics)).map((entry) => [
      entry.metric.id,
      entry,
    ]),
  );
  const references: ResolvedReference[] = [];
  for (const { resource, name, id, key } of matches) {
    const entry = withPolicies.get(id);
    // NOTE: a metric deleted since the search is no longer there to read.
    if (entry === undefined) continue;
    const { metric, archivePolicy: policy } = entry;
    references.push({ metric, policy, aggregation: key[1], key, name, resource });
  }
  if (references.length === 0) return undefined;
  const result = await aggregateReferences(context, references, operations, readOptions(args));
  const measures = renderAggregatedMeasures(result, references);
  if (!args.details) return `{"measures":${measures}}`;
  const shown = [...new Map(references.map(({ resource }) => [resource?.id, resource])).values()];
  const json = shown.map((resource) => resourceToJson(resource as Resource, type));
  return `{"measures":${measures},"references":${JSON.stringify(json)}}`;
}

/** Consecutive resources with the same values of the group keys (already sorted by them). */
export function groupResources(
  resources: readonly Resource[],
  type: ResourceType,
  keys: readonly string[],
): { key: Record<string, unknown>; resources: Resource[] }[] {
  const groups: { key: Record<string, unknown>; text: string; resources: Resource[] }[] = [];
  for (const resource of resources) {
    const json = resourceToJson(resource, type);
    const key = Object.fromEntries(keys.map((name) => [name, json[name] ?? null]));
    const text = JSON.stringify(key);
    const last = groups.at(-1);
    if (last?.text === text) last.resources.push(resource);
    else groups.push({ key, text, resources: [resource] });
  }
  return groups;
}

/**
 * A referenced metric is read as a single metric is: both rules apply, the resource's project
 * (when the metric was found on one) counting for the metric's owner.
 */
export function enforceRead(
  auth: Pick<Authorizer, 'enforce'>,
  metric: Metric,
  resource?: Resource,
): void {
  const target = {
    ...metricPolicyTarget(metric),
    ...(resource === undefined ? {} : { 'resource.project_id': resource.projectId }),
  };
  auth.enforce('get metric', target);
  auth.enforce('get measures', target);
}

function readOptions(args: AggregatesArguments) {
  return {
    start: args.start,
    stop: args.stop,
    granularity: args.granularity,
    fill: args.fill,
    neededOverlap: args.neededOverlap,
    refresh: args.refresh,
  };
}
