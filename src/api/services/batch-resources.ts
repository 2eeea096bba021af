/**
 * `POST /v1/batch/resources/metrics/measures[?create_metrics=true]`, as Ceilometer and
 * collectd-gnocchi use it: measures by resource id (transformed for the caller) and metric name,
 * read by `resource-measures-body.ts` before anything happens, so a bad one stores nothing; with
 * `create_metrics`, missing metrics are created (their policy by name or by rule) and unknown
 * resources are listed in the error; without it, unknown names are. The measures are stored in
 * one call, as a batch by metric.
 */
import { transformResourceId } from '../../grammar/index.ts';
import type { Indexer } from '../../indexer/index.ts';
import type { MeasureBatch } from '../../ingest/index.ts';
import type { MetricRequest } from '../../resource/index.ts';
import { UnknownMetricsError, UnknownResourcesError } from '../http/request-errors.ts';
import type { ParsedMeasures } from '../ingest/measures-body.ts';
import { parseResourceMetricKey } from '../ingest/resource-measures-body.ts';
import { metricPolicyTarget } from '../views/metric-json.ts';
import { resourcePolicyTarget } from '../views/resource-json.ts';
import type { MeasuresContext } from './measures.ts';
import { metricAttachments } from './resource-metrics.ts';

/** One resource's part of the body. */
interface ResourceMeasures {
  readonly originalId: string;
  readonly metrics: Map<string, { request: MetricRequest; batch: MeasureBatch }>;
}

/** What a batch by resource needs. */
export interface BatchResourcesContext extends Omit<MeasuresContext, 'indexer' | 'auth'> {
  readonly indexer: Pick<
    Indexer,
    'searchResources' | 'getMetrics' | 'attachMetrics' | 'listArchivePolicyRules'
  >;
  readonly auth: MeasuresContext['auth'] & { currentUser(): string };
}

/** Stores a batch by resource; throws Gnocchi's 400s. */
export async function postResourceMeasuresBatch(
  context: BatchResourcesContext,
  parsed: ParsedMeasures,
  createMetrics: boolean,
): Promise<void> {
  const byResource = byResourceId(parsed, context.auth.currentUser());
  const ids = [...byResource.keys()];
  const found =
    ids.length === 0
      ? []
      : await context.indexer.searchResources({
          type: 'generic',
          filter: { kind: 'in', field: 'id', values: ids },
          limit: ids.length,
          now: context.now,
        });
  const resources = new Map(found.map((resource) => [resource.id, resource]));
  const unknownResources: { resource_id: string; original_resource_id: string }[] = [];
  const unknownMetrics: string[] = [];
  const batches = new Map<string, MeasureBatch>();
  for (const [id, { originalId, metrics }] of byResource) {
    const resource = resources.get(id);
    let named: Readonly<Record<string, string>> = resource?.metrics ?? {};
    const missing = [...metrics.keys()].filter((name) => named[name] === undefined);
    if (missing.length > 0 && createMetrics) {
      if (resource === undefined) {
        unknownResources.push({ resource_id: id, original_resource_id: originalId });
        continue;
      }
      // NOTE: adding metrics changes the resource: only who may update it may do so.
      context.auth.enforce('update resource', resourcePolicyTarget(resource));
      const requests = Object.fromEntries(
        missing.map((name) => [name, metrics.get(name)?.request ?? {}]),
      );
      const attachments = await metricAttachments(context.indexer, requests);
      named = (await context.indexer.attachMetrics('generic', id, attachments)).metrics;
    } else if (missing.length > 0) {
      unknownMetrics.push(...missing.map((name) => `${id}/${name}`));
      continue;
    }
    for (const [name, { batch }] of metrics) {
      const metricId = named[name];
      if (metricId !== undefined) batches.set(metricId, batch);
    }
  }
  if (unknownResources.length > 0) throw new UnknownResourcesError(unknownResources);
  if (unknownMetrics.length > 0) throw new UnknownMetricsError(unknownMetrics.sort());
  const metrics = await context.indexer.getMetrics([...batches.keys()]);
  for (const metric of metrics) context.auth.enforce('post measures', metricPolicyTarget(metric));
  await context.incoming.enqueueBatches(batches);
  context.op.mark('stored');
}

/** The parsed batches grouped by resource id, transformed for the caller as Gnocchi does. */
function byResourceId(parsed: ParsedMeasures, creator: string): Map<string, ResourceMeasures> {
  const byOriginal = new Map<string, ResourceMeasures>();
  for (const [key, { timestamps, values, request }] of parsed) {
    const [originalId, name] = parseResourceMetricKey(key);
    let resource = byOriginal.get(originalId);
    if (resource === undefined) {
      resource = { originalId, metrics: new Map() };
      byOriginal.set(originalId, resource);
    }
    resource.metrics.set(name, { request: request ?? {}, batch: { timestamps, values } });
  }
  return new Map(
    [...byOriginal.values()].map((resource) => [
      transformResourceId(resource.originalId, creator),
      resource,
    ]),
  );
}
