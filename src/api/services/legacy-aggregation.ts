/**
 * Gnocchi's first cross-metric endpoints, kept for the clients that still call them (the
 * `gnocchi measures aggregation` command, Grafana's "aggregation" mode, alarm evaluators):
 * `GET|POST /v1/aggregation/metric` over metric ids, and
 * `POST /v1/aggregation/resource/{type}/metric/{name}` over the metric of that name on every
 * resource a search finds, optionally grouped.
 *
 * Each is `(aggregate <reaggregation> (metric …))`, or with `resample`
 * `(aggregate <reaggregation> (resample <aggregation> <resample> (metric …)))`, answered as a
 * list of triples. `needed_overlap` defaults to 100 and there is no fill by default, so only the
 * span where every metric has points is answered. A single metric is answered from its own
 * aggregates, fill and overlap ignored.
 */
import {
  isCalendarGrouping,
  RATE_PREFIX,
  type CalendarGrouping,
  type CrossOperation,
} from '../../carbonara/index.ts';
import {
  normalizeUuid,
  parseCrossAggregationMethod,
  parsePositiveTimespan,
} from '../../grammar/index.ts';
import { InvalidPaginationError, MetricNotFoundError, type Metric } from '../../indexer/index.ts';
import type { Resource } from '../../resource/index.ts';
import {
  parseAggregatesArguments,
  type AggregatesArguments,
} from '../arguments/aggregates-arguments.ts';
import { DEFAULT_AGGREGATION } from '../arguments/measures-arguments.ts';
import { lastArgument, type QueryArgs } from '../arguments/pagination.ts';
import { searchFilter } from '../arguments/resource-arguments.ts';
import { AggregationRequestError } from '../http/aggregates-errors.ts';
import {
  AggregationNotFoundError,
  InvalidArgumentValueError,
  InvalidInputError,
  InvalidResampleError,
} from '../http/request-errors.ts';
import { renderTriples } from '../views/aggregates-json.ts';
import { renderMeasuresJson } from '../views/measures-json.ts';
import { enforceRead, groupResources, type AggregatesContext } from './aggregates.ts';
import {
  aggregateReferences,
  commonGranularities,
  refreshMetrics,
  type ResolvedReference,
} from './cross-metric-read.ts';
import { withArchivePolicies } from './metrics.ts';
import {
  findAllResources,
  findResourceType,
  parseResourceSorts,
  RESOURCE_DEFAULT_SORT_ARGS,
} from './resources.ts';

/** Answers `/v1/aggregation/metric`: `ids` from `?metric=` (a list) or from the body. */
export async function aggregateMetricsLegacy(
  context: AggregatesContext,
  query: QueryArgs,
  ids: unknown,
  from: 'query' | 'body',
): Promise<string> {
  if (!Array.isArray(ids)) throw invalidIds('expected a list', [], from);
  const normalized = ids.map((id, index) => {
    const uuid = typeof id === 'string' ? normalizeUuid(id) : undefined;
    if (uuid === undefined) throw invalidIds('not a valid value', [index], from);
    return uuid;
  });
  const distinct = [...new Set(normalized)];
  const metrics = await context.indexer.getMetrics(distinct);
  const known = new Set(metrics.map((metric) => metric.id));
  const missing = distinct.find((id) => !known.has(id));
  if (missing !== undefined) throw new MetricNotFoundError(missing);
  return crossMetricMeasures(context, metrics, query, parseLegacyArguments(query, context.now));
}

/** Answers `POST /v1/aggregation/resource/{type}/metric/{name}`. */
export async function aggregateResourcesLegacy(
  context: AggregatesContext,
  target: { readonly type: string; readonly metricName: string },
  query: QueryArgs,
  body: unknown,
): Promise<string> {
  const type = await findResourceType(context.indexer, target.type);
  const args = parseLegacyArguments(query, context.now);
  const filter = searchFilter(body, query);
  let resources: Resource[];
  try {
    resources = await findAllResources(context, target.type, filter, {
      sort: parseResourceSorts(args.groupby.length > 0 ? args.groupby : RESOURCE_DEFAULT_SORT_ARGS),
      rule: 'search resource',
    });
  } catch (error) {
    if (error instanceof InvalidPaginationError) {
      throw new AggregationRequestError('Invalid groupby attribute', { cause: error });
    }
    throw error;
  }
  const metricsOf = async (group: readonly Resource[]) => {
    const ids = group.flatMap((resource) => resource.metrics[target.metricName] ?? []);
    return context.indexer.getMetrics([...new Set(ids)]);
  };
  if (args.groupby.length === 0) {
    return crossMetricMeasures(context, await metricsOf(resources), query, args);
  }
  const answers: string[] = [];
  for (const group of groupResources(resources, type, args.groupby)) {
    const metrics = await metricsOf(group.resources);
    const measures = await crossMetricMeasures(context, metrics, query, args);
    answers.push(`{"group":${JSON.stringify(group.key)},"measures":${measures}}`);
  }
  return `[${answers.join(',')}]`;
}

/** The cross-metric answer over `metrics`, as a JSON list of triples. */
async function crossMetricMeasures(
  context: AggregatesContext,
  metrics: readonly Metric[],
  query: QueryArgs,
  args: AggregatesArguments,
): Promise<string> {
  const aggregation = lastArgument(query, 'aggregation') ?? DEFAULT_AGGREGATION;
  const reaggregationName = lastArgument(query, 'reaggregation') ?? aggregation;
  for (const metric of metrics) enforceRead(context.auth, metric);
  if (metrics.length === 0) return '[]';
  const resample = parseResample(query, args, aggregation);
  const withPolicies = await withArchivePolicies(context.archivePolicies, metrics);
  const references: ResolvedReference[] = withPolicies.map(({ metric, archivePolicy }) => ({
    metric,
    policy: archivePolicy,
    aggregation,
    key: [metric.id, aggregation],
    name: metric.id,
  }));
  const granularities = legacyGranularities(references, args.granularity);
  if (args.refresh) await refreshMetrics(context, references);
  if (references.length === 1) {
    const { metric, policy } = references[0] as ResolvedReference;
    const read = await context.storage.getMeasures(metric.id, policy, {
      method: aggregation,
      granularities,
      ...(args.start === undefined ? {} : { start: args.start }),
      ...(args.stop === undefined ? {} : { stop: args.stop }),
      ...(resample === undefined ? {} : { resample }),
    });
    context.op.mark('read');
    return renderMeasuresJson(
      (read ?? []).map(({ sampling, series }) => ({ granularity: sampling, ...series })),
    );
  }
  const reaggregation = parseCrossAggregationMethod(reaggregationName);
  if (reaggregation === undefined) {
    throw new InvalidArgumentValueError(
      'reaggregation',
      `Unknown reaggregation method '${reaggregationName}'`,
    );
  }
  const leaf: CrossOperation = { kind: 'metric', references: references.map(({ key }) => key) };
  const operand: CrossOperation =
    resample === undefined
      ? leaf
      : { kind: 'resample', method: aggregation, sampling: resample, operand: leaf };
  const result = await aggregateReferences(
    context,
    references,
    { kind: 'aggregate', method: reaggregation, operand },
    { ...args, granularity: args.granularity, refresh: false },
  );
  return renderTriples(result, 0);
}

/** The granularities, each checked in every metric's policy with the method (Gnocchi's 404). */
function legacyGranularities(
  references: readonly ResolvedReference[],
  asked: number | undefined,
): number[] {
  const granularities = asked === undefined ? commonGranularities(references) : [asked];
  for (const { metric, policy, aggregation } of references) {
    for (const granularity of granularities) {
      const held = policy.definition.some((item) => item.granularity === granularity);
      if (!held || !policy.aggregationMethods.includes(aggregation)) {
        throw new AggregationNotFoundError(metric.id, aggregation, granularity);
      }
    }
  }
  return granularities;
}

function parseLegacyArguments(query: QueryArgs, now: number): AggregatesArguments {
  return parseAggregatesArguments(query, now, { dropnaByDefault: false, neededOverlap: 100 });
}

function parseResample(
  query: QueryArgs,
  args: AggregatesArguments,
  aggregation: string,
): number | CalendarGrouping | undefined {
  const text = lastArgument(query, 'resample');
  if (!text) return undefined;
  if (args.granularity === undefined) {
    throw new InvalidResampleError('A granularity must be specified to resample');
  }
  if (!isCalendarGrouping(text)) return parsePositiveTimespan(text);
  if (aggregation.startsWith(RATE_PREFIX)) {
    throw new InvalidResampleError(
      `Aggregation method '${aggregation}' cannot be resampled to the calendar period '${text}'`,
    );
  }
  return text;
}

function invalidIds(message: string, path: number[], from: 'query' | 'body'): Error {
  if (from === 'body') return new InvalidInputError('body', message, path);
  const at = path.map((index) => `[${index}]`).join('');
  return new AggregationRequestError(`Invalid input: ${message}${at === '' ? '' : ` @ data${at}`}`);
}
