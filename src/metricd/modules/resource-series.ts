/**
 * Series that a reporter module writes as metrics of a resource (the poller's host figures,
 * sub-health's worker figures and counts): the metrics a resource lacks are attached under
 * their names, then the points go through the incoming path like any client's measures.
 */
import { randomUUID } from 'node:crypto';

import { ResourceAlreadyExistsError, type Indexer } from '../../indexer/index.ts';
import type { Incoming, MeasureBatch } from '../../ingest/index.ts';
import type { MetricAttachment, NewResource } from '../../resource/index.ts';

/** Points by metric name, timestamps in µs. */
export type NamedSeries = ReadonlyMap<
  string,
  { readonly timestamps: readonly number[]; readonly values: readonly number[] }
>;

/**
 * The resource's metrics once every name of `names` is attached: `known` when it has them all,
 * else the indexer's after attaching what it lacks (read first, since `known` may be stale).
 */
export async function attachMissingMetrics(
  indexer: Pick<Indexer, 'getResource' | 'attachMetrics'>,
  type: string,
  resourceId: string,
  known: Readonly<Record<string, string>>,
  names: Iterable<string>,
  archivePolicyName: string,
): Promise<Readonly<Record<string, string>>> {
  let metrics = known;
  let missing = [...names].filter((name) => metrics[name] === undefined);
  if (missing.length > 0) {
    metrics = (await indexer.getResource(type, resourceId))?.metrics ?? {};
    missing = missing.filter((name) => metrics[name] === undefined);
  }
  if (missing.length === 0) return metrics;
  const attachments: Record<string, MetricAttachment> = {};
  for (const name of missing) {
    attachments[name] = { kind: 'new', id: randomUUID(), archivePolicyName, unit: null };
  }
  return (await indexer.attachMetrics(type, resourceId, attachments)).metrics;
}

/** Enqueues each series as a batch of the metric its name has in `metrics`. */
export async function enqueueNamedSeries(
  incoming: Pick<Incoming, 'enqueueBatches'>,
  metrics: Readonly<Record<string, string>>,
  series: NamedSeries,
): Promise<void> {
  const batches = new Map<string, MeasureBatch>();
  for (const [name, { timestamps, values }] of series) {
    const id = metrics[name];
    if (id === undefined) continue;
    batches.set(id, {
      timestamps: Float64Array.from(timestamps),
      values: Float64Array.from(values),
    });
  }
  if (batches.size > 0) await incoming.enqueueBatches(batches);
}

/** Writes series of resources the module owns, making each resource on its first write. */
export class ResourceSeriesWriter {
  readonly #indexer: Indexer;
  readonly #incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly #archivePolicyName: string;
  /** Metrics by resource id, as last read or attached. */
  readonly #metrics = new Map<string, Readonly<Record<string, string>>>();

  constructor(options: {
    readonly indexer: Indexer;
    readonly incoming: Pick<Incoming, 'enqueueBatches'>;
    readonly archivePolicyName: string;
  }) {
    this.#indexer = options.indexer;
    this.#incoming = options.incoming;
    this.#archivePolicyName = options.archivePolicyName;
  }

  /** Writes `series` to the resource `resource` describes, made unless it exists. */
  async write(resource: NewResource, series: NamedSeries): Promise<void> {
    let known = this.#metrics.get(resource.id);
    if (known === undefined) {
      try {
        known = (await this.#indexer.createResource(resource)).metrics;
      } catch (error) {
        if (!(error instanceof ResourceAlreadyExistsError)) throw error;
        known = (await this.#indexer.getResource(resource.type, resource.id))?.metrics ?? {};
      }
    }
    const metrics = await attachMissingMetrics(
      this.#indexer,
      resource.type,
      resource.id,
      known,
      series.keys(),
      this.#archivePolicyName,
    );
    this.#metrics.set(resource.id, metrics);
    await enqueueNamedSeries(this.#incoming, metrics, series);
  }

  /** Forgets what it knows (a resource may have been deleted meanwhile). */
  forget(): void {
    this.#metrics.clear();
  }
}
