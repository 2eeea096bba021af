/**
 * Resources and metrics made on the fly by the protocol endpoints (InfluxDB, Prometheus), as
 * Gnocchi's `get_or_create_resource_and_metrics` makes them: the resource of an original id is
 * created with its metrics when missing, its missing metrics attached otherwise (policies by
 * rule), and the measures stored once every metric is known and the caller may post to it.
 */
import { transformResourceId } from '../../grammar/index.ts';
import {
  NamedMetricAlreadyExistsError,
  ResourceAlreadyExistsError,
  type Indexer,
} from '../../indexer/index.ts';
import type { Incoming, MeasureBatch } from '../../ingest/index.ts';
import type { Resource } from '../../resource/index.ts';
import type { TrackedOp } from '../../optracker/index.ts';
import type { Authorizer } from '../auth/auth.ts';
import { metricPolicyTarget } from '../views/metric-json.ts';
import { resourcePolicyTarget } from '../views/resource-json.ts';
import { metricAttachments } from './resource-metrics.ts';
import { createResource } from './resources.ts';

/** What making resources and storing measures needs. */
export interface UpsertContext {
  readonly indexer: Indexer;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly auth: Authorizer;
  readonly op: Pick<TrackedOp, 'mark'>;
  /** Now, in microseconds. */
  readonly now: number;
}

/** The resource to find or make. */
export interface ResourceWanted {
  readonly type: string;
  /** The id as the client names it; transformed for the caller. */
  readonly originalId: string;
  readonly creator: string;
  /** Attributes of a new resource. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly metricNames: readonly string[];
  /** What a new metric is made with (`archive_policy_name`); by rule when empty. */
  readonly metricSpec?: Readonly<Record<string, unknown>>;
}

/**
 * The resource of `wanted`, created if missing, with every metric it names. A resource of that
 * id under another type is a conflict (409, Gnocchi's `Resource already exists`).
 */
export async function resourceWithMetrics(
  context: Pick<UpsertContext, 'indexer' | 'auth' | 'now'>,
  wanted: ResourceWanted,
): Promise<Resource> {
  const { indexer, auth, now } = context;
  const { type, metricNames: names } = wanted;
  const spec = wanted.metricSpec ?? {};
  const id = transformResourceId(wanted.originalId, wanted.creator);
  let resource = await indexer.getResource(type, id);
  if (resource === undefined) {
    try {
      return await createResource({ indexer, auth, now }, type, {
        ...wanted.attributes,
        id: wanted.originalId,
        metrics: Object.fromEntries(names.map((metric) => [metric, spec])),
      });
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsError)) throw error;
      // NOTE: under another type it is the client's conflict (409); under this one, a concurrent
      // write created it first, and only its metrics may be missing.
      resource = await indexer.getResource(type, id);
      if (resource === undefined) throw error;
    }
  }
  for (let attempt = 0; ; attempt++) {
    const named = resource.metrics;
    const missing = names.filter((metric) => named[metric] === undefined);
    if (missing.length === 0) return resource;
    auth.enforce('update resource', resourcePolicyTarget(resource));
    const attachments = await metricAttachments(
      indexer,
      Object.fromEntries(missing.map((metric) => [metric, spec])),
    );
    try {
      return await indexer.attachMetrics(type, id, attachments);
    } catch (error) {
      // NOTE: a concurrent write attached one of them first; read the resource again.
      if (!(error instanceof NamedMetricAlreadyExistsError) || attempt >= 3) throw error;
      const current = await indexer.getResource(type, id);
      if (current === undefined) throw error;
      resource = current;
    }
  }
}

/** Measures by metric name, as a protocol reads them (timestamps in µs). */
export type SeriesByName = ReadonlyMap<
  string,
  { readonly timestamps: readonly number[]; readonly values: readonly number[] }
>;

/** Adds to `batches` the measures of `series` under the ids of `resource`'s metrics. */
export function addBatches(
  batches: Map<string, MeasureBatch>,
  resource: Resource,
  series: SeriesByName,
): void {
  for (const [name, { timestamps, values }] of series) {
    const metricId = resource.metrics[name];
    if (metricId === undefined) continue;
    batches.set(metricId, {
      timestamps: Float64Array.from(timestamps),
      values: Float64Array.from(values),
    });
  }
}

/** Stores the batches once the caller may post to each of their metrics. */
export async function storeBatches(
  context: UpsertContext,
  batches: ReadonlyMap<string, MeasureBatch>,
): Promise<void> {
  const metrics = await context.indexer.getMetrics([...batches.keys()]);
  for (const metric of metrics) context.auth.enforce('post measures', metricPolicyTarget(metric));
  await context.incoming.enqueueBatches(batches);
  context.op.mark('stored');
}
