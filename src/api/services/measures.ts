/**
 * Measures as Gnocchi's REST layer handles them.
 *
 * Posting: parse and validate the whole request first (so nothing of a rejected request is
 * stored), check the caller may post to every metric named, then hand the batches to the incoming
 * store in one call. A 202 follows only once they are stored.
 *
 * Reading: check the caller, the arguments, then the aggregation asked for against the metric's
 * archive policy, process pending measures first if asked to (`refresh`), and read the aggregates,
 * coarsest granularity first; a metric never processed has none.
 *
 * Both mark the request's op as they go: `stored` once the incoming store holds the measures;
 * `refreshed` once pending measures were processed, `read` once storage answered.
 */
import type { ArchivePolicy } from '../../archive-policy/index.ts';
import { fillSeries, isCalendarGrouping, RATE_PREFIX } from '../../carbonara/index.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { Incoming, MeasureBatch } from '../../ingest/index.ts';
import type { TrackedOp } from '../../optracker/index.ts';
import type { Storage } from '../../storage/index.ts';
import type { MetricRefresher } from '../api-deps.ts';
import type { Authorizer } from '../auth/auth.ts';
import { parseBoolean } from '../arguments/boolean-argument.ts';
import type { MeasureGroup } from '../views/measures-json.ts';
import {
  parseMeasuresArguments,
  type MeasuresArguments,
  type MeasuresQueryString,
} from '../arguments/measures-arguments.ts';
import { metricPolicyTarget } from '../views/metric-json.ts';
import {
  AggregationMethodNotFoundError,
  AggregationNotFoundError,
  InvalidResampleError,
  MetricLockedError,
  UnknownMetricsError,
} from '../http/request-errors.ts';
import { findArchivePolicy } from './archive-policies.ts';
import { findMetric } from './metrics.ts';

/** What posting measures needs. */
export interface MeasuresContext {
  readonly indexer: Pick<Indexer, 'getMetric' | 'getMetrics'>;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly auth: Pick<Authorizer, 'enforce'>;
  /** The request's op. */
  readonly op: Pick<TrackedOp, 'mark'>;
  /** Now, in µs since the epoch, for relative timestamps such as `-5 minutes`. */
  readonly now: number;
}

/** Reads a request's measures (off the event loop when the body is large). */
export type MeasuresReader = () => Promise<MeasureBatch>;

/**
 * Stores the measures of `POST /v1/metric/{id}/measures`; the body is read (`readMeasures`) only
 * once the metric and the caller's right to post to it are checked.
 */
export async function postMeasures(
  context: MeasuresContext,
  id: string,
  readMeasures: MeasuresReader,
) {
  // NOTE: Gnocchi's order: an unknown metric is a 404 and a denied one a 403 before the body counts.
  const metric = await findMetric(context.indexer, id);
  context.auth.enforce('post measures', metricPolicyTarget(metric));
  const batch = await readMeasures();
  await context.incoming.enqueueBatches(new Map([[metric.id, batch]]));
  context.op.mark('stored');
}

/**
 * Stores the measures of `POST /v1/batch/metrics/measures`; a body naming any unknown metric is
 * refused whole, listing the unknown ids.
 */
export async function postMeasuresBatch(
  context: MeasuresContext,
  batches: ReadonlyMap<string, MeasureBatch>,
) {
  const metrics = await context.indexer.getMetrics([...batches.keys()]);
  if (metrics.length !== batches.size) {
    const known = new Set(metrics.map((metric) => metric.id));
    throw new UnknownMetricsError([...batches.keys()].filter((id) => !known.has(id)).sort());
  }
  for (const metric of metrics) context.auth.enforce('post measures', metricPolicyTarget(metric));
  await context.incoming.enqueueBatches(batches);
  context.op.mark('stored');
}

/** What reading measures needs. */
export interface MeasuresReadContext {
  readonly indexer: Pick<Indexer, 'getMetric' | 'getResource'>;
  /** Where the metric's policy is read from: a short-lived cache in the API. */
  readonly archivePolicies: Pick<Indexer, 'getArchivePolicy'>;
  readonly storage: Pick<Storage, 'getMeasures'>;
  readonly auth: Pick<Authorizer, 'enforce' | 'allows'>;
  /** The request's op. */
  readonly op: Pick<TrackedOp, 'mark'>;
  /** Processing on demand, when this process can process; `refresh=true` is a plain read without. */
  readonly refresh?: MetricRefresher | undefined;
  /** How long `refresh=true` waits for the metric's lock. */
  readonly refreshTimeoutMs: number;
  /** Now, in µs since the epoch, for relative `start` and `stop` such as `-1 hour`. */
  readonly now: number;
}

/** Reads the aggregates of `GET /v1/metric/{id}/measures`, coarsest granularity first. */
export async function getMeasures(
  context: MeasuresReadContext,
  id: string,
  args: MeasuresQueryString,
): Promise<MeasureGroup[]> {
  const metric = await findMetric(context.indexer, id);
  const target = metricPolicyTarget(metric);
  // NOTE: the metric's resource is read only when the caller is neither admin nor creator: its
  // project may own the metric (Gnocchi's `metric_owner`, on the resource's `project_id`).
  if (!context.auth.allows('get measures', target) && metric.resourceId !== null) {
    const resource = await context.indexer.getResource('generic', metric.resourceId);
    target['resource.project_id'] = resource?.projectId ?? null;
  }
  context.auth.enforce('get measures', target);
  const query = parseMeasuresArguments(args, context.now);
  const policy = await findArchivePolicy(context.archivePolicies, metric.archivePolicyName);
  const granularities = granularitiesToRead(metric.id, policy, query);
  if (parseBoolean('refresh', args.refresh ?? 'false') && context.refresh !== undefined) {
    const refreshed = await context.refresh(metric.id, context.refreshTimeoutMs);
    if (!refreshed) throw new MetricLockedError(metric.id);
    context.op.mark('refreshed');
  }
  const { start, stop, resample, fill } = query;
  const read = await context.storage.getMeasures(metric.id, policy, {
    method: query.aggregation,
    granularities,
    ...(start === undefined ? {} : { start }),
    ...(stop === undefined ? {} : { stop }),
    ...(resample === undefined ? {} : { resample }),
  });
  context.op.mark('read');
  return (read ?? []).map(({ granularity: stored, series }) => {
    const granularity = resample ?? stored;
    const points =
      fill === undefined ? series : fillSeries(series, { fill, granularity, start, stop });
    return { granularity, ...points };
  });
}

/**
 * The granularities (µs) a read covers; throws Gnocchi's 404s when the policy lacks the method or
 * the granularity, and refuses a rate on calendar periods, which has no meaning.
 */
function granularitiesToRead(
  metricId: string,
  policy: ArchivePolicy,
  query: MeasuresArguments,
): number[] {
  const { aggregation, granularity, resample } = query;
  if (!policy.aggregationMethods.includes(aggregation)) {
    throw new AggregationMethodNotFoundError(metricId, aggregation);
  }
  const all = policy.definition.map((item) => item.granularity);
  if (granularity !== undefined && !all.includes(granularity)) {
    throw new AggregationNotFoundError(metricId, aggregation, granularity);
  }
  if (isCalendarGrouping(resample) && aggregation.startsWith(RATE_PREFIX)) {
    throw new InvalidResampleError(
      `Aggregation method '${aggregation}' cannot be resampled to the calendar period '${resample}'`,
    );
  }
  return granularity === undefined ? all : [granularity];
}
