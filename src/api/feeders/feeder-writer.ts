/**
 * Where the listeners (statsd, Graphite) store what they have gathered: each resource found or
 * made with its metrics, as the HTTP protocols do, then every measure of a flush enqueued in one
 * go through the incoming path of JSON measures.
 *
 * Resources are remembered between flushes so that a steady feed costs one indexer read per
 * flush (its metrics, checked to still exist) rather than one per resource; a metric deleted
 * meanwhile, or its resource, is made again.
 */
import type { Indexer } from '../../indexer/index.ts';
import type { Incoming, MeasureBatch } from '../../ingest/index.ts';
import type { OpTracker } from '../../optracker/index.ts';
import type { Resource } from '../../resource/index.ts';
import { systemAuthorizer } from '../auth/system-authorizer.ts';
import { isRefusal } from '../http/errors.ts';
import { addBatches, resourceWithMetrics, type SeriesByName } from '../services/resource-upsert.ts';

/** A resource the listener writes to. */
export interface FeederTarget {
  readonly type: string;
  /** The id as configured or read; transformed for the creator as the API does. */
  readonly originalId: string;
  /** Attributes of a new resource. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** What a write did: measures stored, and the targets refused (with why) whose series are lost. */
export interface FeederWriteResult {
  readonly measures: number;
  readonly refused: readonly { readonly target: FeederTarget; readonly error: Error }[];
}

/** What a writer needs. */
export interface FeederWriterOptions {
  readonly indexer: Indexer;
  readonly incoming: Pick<Incoming, 'enqueueBatches'>;
  readonly tracker: OpTracker;
  /** Op kind of a flush, e.g. `statsd_flush`. */
  readonly kind: string;
  readonly creator: string;
  /** Policy of new metrics; by rule when undefined. */
  readonly archivePolicyName?: string | undefined;
  /** Now, in microseconds. */
  readonly now: () => number;
}

/** Stores gathered measures; one writer per listener. */
export class FeederWriter {
  readonly #options: FeederWriterOptions;
  readonly #resources = new Map<string, Resource>();

  constructor(options: FeederWriterOptions) {
    this.#options = options;
  }

  /**
   * Stores every series of every target. A target the engine refuses (a resource of that id
   * under another type, an unknown policy, an id too long) is left out and reported, so that it
   * cannot hold back the others; any other failure rejects and nothing is stored.
   */
  async write(
    entries: readonly (readonly [FeederTarget, SeriesByName])[],
  ): Promise<FeederWriteResult> {
    const { tracker, kind } = this.#options;
    const op = tracker.begin(kind, `${String(entries.length)} resources`);
    try {
      let found = await this.#batches(entries, false);
      if (!(await this.#allMetricsExist(found.batches))) {
        this.#resources.clear();
        found = await this.#batches(entries, true);
      }
      op.mark('resolved');
      await this.#options.incoming.enqueueBatches(found.batches);
      op.mark('stored');
      return { measures: countMeasures(found.batches), refused: found.refused };
    } finally {
      op.finish();
    }
  }

  async #batches(
    entries: readonly (readonly [FeederTarget, SeriesByName])[],
    fresh: boolean,
  ): Promise<{ batches: Map<string, MeasureBatch>; refused: FeederWriteResult['refused'] }> {
    const batches = new Map<string, MeasureBatch>();
    const refused: { target: FeederTarget; error: Error }[] = [];
    for (const [target, series] of entries) {
      if (series.size === 0) continue;
      try {
        const resource = await this.#resource(target, [...series.keys()], fresh);
        addBatches(batches, resource, series);
      } catch (error) {
        if (!isRefusal(error)) throw error;
        refused.push({ target, error: error as Error });
      }
    }
    return { batches, refused };
  }

  /** Finds or makes a target without metrics, so that a bad setting shows at start. */
  async prepare(target: FeederTarget): Promise<void> {
    await this.#resource(target, [], true);
  }

  async #resource(
    target: FeederTarget,
    names: readonly string[],
    fresh: boolean,
  ): Promise<Resource> {
    const key = `${target.type}\0${target.originalId}`;
    const known = fresh ? undefined : this.#resources.get(key);
    if (known !== undefined && names.every((name) => known.metrics[name] !== undefined)) {
      return known;
    }
    const { indexer, creator, archivePolicyName } = this.#options;
    const resource = await resourceWithMetrics(
      { indexer, auth: systemAuthorizer(creator), now: this.#options.now() },
      {
        type: target.type,
        originalId: target.originalId,
        creator,
        attributes: target.attributes,
        metricNames: names,
        ...(archivePolicyName === undefined
          ? {}
          : { metricSpec: { archive_policy_name: archivePolicyName } }),
      },
    );
    this.#resources.set(key, resource);
    return resource;
  }

  async #allMetricsExist(batches: ReadonlyMap<string, MeasureBatch>): Promise<boolean> {
    if (batches.size === 0) return true;
    const found = await this.#options.indexer.getMetrics([...batches.keys()]);
    return found.length === batches.size;
  }
}

/** The measures of series or batches. */
export function countMeasures(
  series: ReadonlyMap<string, { readonly values: ArrayLike<number> }>,
): number {
  let count = 0;
  for (const { values } of series.values()) count += values.length;
  return count;
}
