/**
 * Posting measures as Gnocchi's REST layer does: parse and validate the whole request first (so
 * nothing of a rejected request is stored), check the caller may post to every metric named, then
 * hand the batches to the incoming store in one call. A 202 follows only once they are stored.
 */
import type { Indexer } from '../../indexer/index.ts';
import { parseMeasures, parseMeasuresBatch, type Incoming } from '../../ingest/index.ts';
import type { Authorizer } from '../auth.ts';
import { metricPolicyTarget } from '../metric-json.ts';
import { UnknownMetricsError } from '../request-errors.ts';
import { findMetric } from './metrics.ts';

/** What posting measures needs. */
export interface MeasuresContext {
  readonly indexer: Pick<Indexer, 'getMetric' | 'getMetrics'>;
  readonly incoming: Pick<Incoming, 'addMeasuresBatch'>;
  readonly auth: Pick<Authorizer, 'enforce'>;
  /** Now, in µs since the epoch, for relative timestamps such as `-5 minutes`. */
  readonly now: number;
}

/** Stores the measures of `POST /v1/metric/{id}/measures`. */
export async function postMeasures(context: MeasuresContext, id: string, body: unknown) {
  // NOTE: Gnocchi's order: an unknown metric is a 404 and a denied one a 403 before the body counts.
  const metric = await findMetric(context.indexer, id);
  context.auth.enforce('post measures', metricPolicyTarget(metric));
  const batch = parseMeasures(body, { now: context.now });
  await context.incoming.addMeasuresBatch(new Map([[metric.id, batch]]));
}

/**
 * Stores the measures of `POST /v1/batch/metrics/measures`; a body naming any unknown metric is
 * refused whole, listing the unknown ids.
 */
export async function postMeasuresBatch(context: MeasuresContext, body: unknown) {
  const batches = parseMeasuresBatch(body, { now: context.now });
  const metrics = await context.indexer.getMetrics([...batches.keys()]);
  if (metrics.length !== batches.size) {
    const known = new Set(metrics.map((metric) => metric.id));
    throw new UnknownMetricsError([...batches.keys()].filter((id) => !known.has(id)).sort());
  }
  for (const metric of metrics) context.auth.enforce('post measures', metricPolicyTarget(metric));
  await context.incoming.addMeasuresBatch(batches);
}
