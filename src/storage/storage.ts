/**
 * The storage service: folds a metric's new measures into its raw buffer, computes every
 * aggregation of its archive policy for the touched buckets, writes the touched splits, deletes
 * those past the timespan, and serves reads of the aggregates.
 *
 * Objects per metric (see `object-name.ts`): `raw`, the BoundTimeSerie, and one split bundle per
 * granularity and split key holding every method (`split-bundle.ts`). One `foldMeasures` calls the
 * driver at most four times: read `raw`; list the objects, only when the oldest kept split of a
 * granularity moved (as Gnocchi does); read every touched bundle at once; then one
 * `updateObjects` with the touched bundles, the expired ones to delete and `raw` last, preceded
 * by the caller's fence check (see `write-fence.ts`).
 * Aggregates are recomputed from the raw points, never incremented, so replaying the same
 * measures after a crash (before `raw` was stored) changes nothing. A read reads `raw`
 * (whose newest point anchors retention), then the bundles in range at once, named from the
 * range and the retention when they bound it to a few splits, else found by listing the objects
 * (see `aggregate-read.ts`).
 *
 * Retention is per granularity: with N the bucket of the newest raw point, every method keeps the
 * buckets with `ts > N − timespan`. Gnocchi anchors it on each method's own newest point instead;
 * the two differ only for methods that skip buckets (`std` of one point, `rate:*`), and anchoring
 * on the data lets a whole bundle expire at once and keeps reads exact when `stop` hides the
 * newest split.
 */
import {
  blockSize,
  effectiveBackWindow,
  type ArchivePolicy,
  type ArchivePolicyItem,
} from '../archive-policy/index.ts';
import {
  BoundTimeSerie,
  emptySeries,
  InvalidDataError,
  sliceSeries,
  type CalendarGrouping,
  type Series,
} from '../carbonara/index.ts';
import {
  bundlesInRange,
  bundlesToRead,
  concatAll,
  itemsOf,
  readAggregate,
} from './aggregate-read.ts';
import {
  bundlesNewestFirst,
  coveredFrom,
  describeFloors,
  floorsAfter,
  floorsStillNeeded,
  lowestFloor,
  quarantineName,
  rebuiltBundle,
  withoutProtectedBuckets,
  type BundleRebuild,
  type StorageDamage,
} from './damage.ts';
import { RAW_OBJECT_NAME } from './object-name.ts';
import { decodeRawBuffer, encodeRawBuffer, type RawFloors } from './raw-buffer.ts';
import { decodeSplitBundle, encodeSplitBundle } from './split-bundle.ts';
import {
  expiredSplits,
  mayHaveExpiredSplits,
  mergeBundle,
  planSplits,
  type SplitPlan,
} from './split-plan.ts';
import type { ObjectScope, ReadObjectsOptions, StorageDriver } from './storage-driver.ts';
import { fenceTokenOf, type WriteFence } from './write-fence.ts';

/** New measures for one metric. */
export interface MetricMeasures {
  readonly metricId: string;
  readonly policy: ArchivePolicy;
  /** Sorted, one value per timestamp (see `sortMeasures`). */
  readonly measures: Series;
  /**
   * The op following this processing, told `raw_loaded`, `aggregated`, `splits_written` and
   * `expired`.
   */
  readonly op?: { mark(event: string): void };
  /**
   * The writer's lock: checked right before each write, and passed to the driver to check
   * atomically when it carries a key and token. @defaultValue none (the caller vouches)
   */
  readonly fence?: WriteFence;
}

/** What folding one metric's measures did. */
export interface FoldResult {
  /** Measures merged into the raw buffer. */
  readonly accepted: number;
  /** Measures dropped for being older than the back window. */
  readonly dropped: number;
  readonly splitsWritten: number;
  readonly splitsDeleted: number;
  /** Objects that failed to decode. */
  readonly corrupt: readonly string[];
  /** What was done about each of them. */
  readonly damage: readonly StorageDamage[];
}

/** A read of one metric's aggregates. */
export interface AggregateQuery {
  /** One of the policy's methods (the caller checks). */
  readonly method: string;
  /** Granularities (µs) of the policy to read (the caller checks), in any order. */
  readonly granularities: readonly number[];
  /** Bucket start (µs), floored to the (resampled) granularity. */
  readonly start?: number;
  /** Exclusive end (µs). */
  readonly stop?: number;
  /** Regroup the stored points at this sampling (µs) or calendar period, same method. */
  readonly resample?: number | CalendarGrouping;
}

/** The points of one granularity. */
export interface AggregateSeries {
  /** The stored granularity (µs) the points were read from. */
  readonly granularity: number;
  /** What the points are grouped by: the resample when one was asked for, else `granularity`. */
  readonly sampling: number | CalendarGrouping;
  readonly series: Series;
  /**
   * Bundles of this granularity that failed to decode: their points are missing from `series`.
   * Absent when every bundle read decoded.
   */
  readonly damaged?: readonly string[];
}

/** Called for every object that failed to decode (and was treated as empty). */
export type CorruptObjectListener = (metricId: string, object: string, error: Error) => void;

/** Options of {@link Storage}. */
export interface StorageOptions {
  /** Told about every corrupt object. @defaultValue none (they are still counted) */
  readonly onCorrupt?: CorruptObjectListener;
}

/** Counters since the service was created. */
export interface StorageStatistics {
  readonly metricsProcessed: number;
  readonly measuresAccepted: number;
  readonly measuresDropped: number;
  readonly splitsRead: number;
  readonly splitsWritten: number;
  readonly splitsDeleted: number;
  readonly bytesWritten: number;
  readonly corruptObjects: number;
  /** `getMeasures` calls that found the metric. */
  readonly reads: number;
  /** Bytes read, raw buffers and bundles, by both paths. */
  readonly bytesRead: number;
  /**
   * Object listings: by `foldMeasures` to find expired splits, and by reads whose range and
   * retention do not bound the splits to read.
   */
  readonly listings: number;
  /** Wall time spent in `foldMeasures`, in milliseconds. */
  readonly foldMeasuresMs: number;
  /** Wall time spent in `getMeasures`, in milliseconds. */
  readonly readMeasuresMs: number;
}

type Counters = { -readonly [K in keyof StorageStatistics]: number };

const NO_CORRUPTION: readonly string[] = Object.freeze([]);
const NO_DAMAGE: readonly StorageDamage[] = Object.freeze([]);
const NO_FLOORS: RawFloors = new Map();
/** Bundles tried, newest first, for the newest stored bucket of a granularity. */
const MAX_BUNDLES_TRIED = 4;

/** The metric a readiness probe reads: the nil UUID, which no metric has. */
const PROBE_METRIC_ID = '00000000-0000-0000-0000-000000000000';

/** Aggregates of metrics on top of a driver. */
export class Storage {
  readonly #driver: StorageDriver;
  readonly #onCorrupt: CorruptObjectListener | undefined;
  readonly #counters: Counters = {
    metricsProcessed: 0,
    measuresAccepted: 0,
    measuresDropped: 0,
    splitsRead: 0,
    splitsWritten: 0,
    splitsDeleted: 0,
    bytesWritten: 0,
    corruptObjects: 0,
    reads: 0,
    bytesRead: 0,
    listings: 0,
    foldMeasuresMs: 0,
    readMeasuresMs: 0,
  };

  constructor(driver: StorageDriver, options: StorageOptions = {}) {
    this.#driver = driver;
    this.#onCorrupt = options.onCorrupt;
  }

  get driver(): StorageDriver {
    return this.#driver;
  }

  /** Creates the backend's layout (`orzo upgrade`). */
  async init(): Promise<void> {
    await this.#driver.init();
  }

  /** Reads from the backend once (an object no metric has), for readiness checks. */
  async probe(): Promise<void> {
    await this.#driver.readObjects(PROBE_METRIC_ID, [RAW_OBJECT_NAME]);
  }

  /** Folds one metric's new measures in and rewrites what they touched; run under its lock. */
  async foldMeasures(item: MetricMeasures): Promise<FoldResult> {
    if (item.measures.timestamps.length === 0) {
      return {
        accepted: 0,
        dropped: 0,
        splitsWritten: 0,
        splitsDeleted: 0,
        corrupt: NO_CORRUPTION,
        damage: NO_DAMAGE,
      };
    }
    const started = performance.now();
    try {
      return await this.#foldMeasures(item);
    } finally {
      this.#counters.foldMeasuresMs += performance.now() - started;
    }
  }

  /**
   * Reads aggregates, coarsest granularity first, each in ascending time; `undefined` when the
   * metric has never been processed. Throws `RangeError` for a granularity the policy lacks.
   */
  async getMeasures(
    metricId: string,
    policy: ArchivePolicy,
    query: AggregateQuery,
  ): Promise<AggregateSeries[] | undefined> {
    const started = performance.now();
    try {
      return await this.#getMeasures(metricId, policy, query);
    } finally {
      this.#counters.readMeasuresMs += performance.now() - started;
    }
  }

  /** Deletes everything stored for a metric; idempotent. */
  async deleteMetric(metricId: string): Promise<void> {
    await this.#driver.deleteMetric(metricId);
  }

  /** A snapshot of the counters. */
  statistics(): StorageStatistics {
    return { ...this.#counters };
  }

  async #foldMeasures(item: MetricMeasures): Promise<FoldResult> {
    const { metricId, policy, measures, op } = item;
    const corrupt: string[] = [];
    const damage: StorageDamage[] = [];
    // NOTE: insertion order is write order: kept-aside objects first, then bundles, raw last.
    const put = new Map<string, Uint8Array>();
    // NOTE: the fold runs under the metric's lock, so its reads and its update share a scope.
    const scope: ObjectScope = {};
    const [rawBytes] = await this.#read(metricId, [RAW_OBJECT_NAME], { scope });
    op?.mark('raw_loaded');
    const raw = this.#decode(metricId, RAW_OBJECT_NAME, rawBytes, decodeRawBuffer, corrupt);
    let floors = raw?.floors ?? NO_FLOORS;
    let listed: string[] | undefined;
    if (rawBytes !== undefined && raw === undefined) {
      listed = await this.#list(metricId, { scope });
      floors = floorsAfter(await this.#newestStoredBuckets(metricId, policy, listed, scope));
      const keptAs = quarantineName(RAW_OBJECT_NAME, rawBytes);
      put.set(keptAs, rawBytes);
      damage.push({ object: RAW_OBJECT_NAME, keptAs, detail: describeFloors(floors) });
    }
    const previous = raw?.series;
    const bound = new BoundTimeSerie(previous ?? emptySeries(), {
      blockSize: blockSize(policy),
      backWindow: effectiveBackWindow(policy),
    });
    const admitted = sliceSeries(measures, lowestFloor(floors));
    const update = bound.setValues(admitted);
    const { accepted } = update;
    const dropped = update.dropped + measures.timestamps.length - admitted.timestamps.length;
    this.#counters.measuresDropped += dropped;
    const newest = update.merged.timestamps[update.merged.timestamps.length - 1];
    const result = { accepted, dropped, splitsWritten: 0, splitsDeleted: 0, corrupt, damage };
    if (accepted === 0 || update.recomputeFrom === undefined || newest === undefined) {
      if (put.size === 0) return result;
      // NOTE: a repair is stored even when nothing was accepted: its floors must last.
      put.set(RAW_OBJECT_NAME, encodeRawBuffer(update.bound.series, floors));
      await this.#write(item, put, [], scope);
      return result;
    }
    const plans = withoutProtectedBuckets(
      planSplits(policy, update.merged, update.recomputeFrom),
      floors,
    );
    op?.mark('aggregated');
    // NOTE: a metric without a raw buffer has never been written (raw goes last), so it has no
    // splits to expire; a corrupt one says nothing about what exists, so it was listed above.
    const previousNewest = previous?.timestamps[previous.timestamps.length - 1];
    const expired =
      listed !== undefined
        ? expiredSplits(policy, listed, newest)
        : rawBytes !== undefined && mayHaveExpiredSplits(policy, previousNewest, newest)
          ? expiredSplits(policy, await this.#list(metricId, { scope }), newest)
          : [];
    // NOTE: raw goes last in every update, so a metric without it never had an update complete:
    // at most a crashed first one left bundles, made of the measures this pass reads again.
    await this.#mergeBundles(
      item,
      plans,
      put,
      result,
      {
        hasBundles: rawBytes !== undefined,
        merged: update.merged,
        floors,
        coveredFrom: coveredFrom(rawBytes !== undefined, raw, bound, floors, update.merged),
      },
      scope,
    );
    // NOTE: raw goes last, so that a crash before it leaves the old buffer to replay from.
    const kept = floorsStillNeeded(floors, update.bound.firstBlockTimestamp());
    put.set(RAW_OBJECT_NAME, encodeRawBuffer(update.bound.series, kept));
    await this.#write(item, put, expired, scope);
    this.#countWrite(accepted, plans.length, expired.length, put);
    return { ...result, splitsWritten: plans.length, splitsDeleted: expired.length };
  }

  /**
   * Reads every touched bundle at once (unless the metric has none to read) and merges the
   * recomputed points into each. A damaged one is kept aside and rebuilt from the raw points.
   */
  async #mergeBundles(
    { metricId, policy }: MetricMeasures,
    plans: readonly SplitPlan[],
    put: Map<string, Uint8Array>,
    { corrupt, damage }: { corrupt: string[]; damage: StorageDamage[] },
    rebuild: BundleRebuild,
    scope: ObjectScope,
  ): Promise<void> {
    const stored = rebuild.hasBundles
      ? await this.#read(
          metricId,
          plans.map((plan) => plan.name),
          { scope },
        )
      : [];
    plans.forEach((plan, index) => {
      const bytes = stored[index];
      let bundle = this.#decode(metricId, plan.name, bytes, decodeSplitBundle, corrupt);
      if (bytes !== undefined && bundle === undefined) {
        const keptAs = quarantineName(plan.name, bytes);
        put.set(keptAs, bytes);
        const { methods, detail } = rebuiltBundle(policy, plan, rebuild);
        bundle = methods;
        damage.push({ object: plan.name, keptAs, detail });
      }
      const merged = mergeBundle(bundle ?? new Map(), plan, policy.aggregationMethods);
      put.set(plan.name, encodeSplitBundle(merged));
    });
  }

  /**
   * The newest stored bucket of each granularity, from the newest bundle of it that decodes
   * (granularities without one are left out).
   */
  async #newestStoredBuckets(
    metricId: string,
    policy: ArchivePolicy,
    listed: readonly string[],
    scope: ObjectScope,
  ): Promise<Map<number, number>> {
    const newest = new Map<number, number>();
    for (const { granularity } of policy.definition) {
      const names = bundlesNewestFirst(listed, granularity);
      for (const name of names.slice(0, MAX_BUNDLES_TRIED)) {
        const [bytes] = await this.#read(metricId, [name], { scope });
        const bundle = this.#decode(metricId, name, bytes, decodeSplitBundle, []);
        if (bundle === undefined) continue;
        const last = Math.max(
          ...[...bundle.values()].map((series) => series.timestamps.at(-1) ?? -Infinity),
        );
        if (Number.isFinite(last)) {
          newest.set(granularity, last);
          break;
        }
      }
    }
    return newest;
  }

  /** One update of the metric's objects, checked against the writer's fence first. */
  async #write(
    { metricId, op, fence }: MetricMeasures,
    put: ReadonlyMap<string, Uint8Array>,
    expired: readonly string[],
    scope: ObjectScope,
  ): Promise<void> {
    // NOTE: the reads took time; a lock lost meanwhile must stop the write.
    fence?.assertHeld();
    const token = fenceTokenOf(fence);
    await this.#driver.updateObjects(
      metricId,
      { put, remove: expired },
      token === undefined ? { scope } : { fence: token, scope },
    );
    // NOTE: the expired splits go in the same update as the written ones.
    op?.mark('splits_written');
    op?.mark('expired');
  }

  async #getMeasures(
    metricId: string,
    policy: ArchivePolicy,
    query: AggregateQuery,
  ): Promise<AggregateSeries[] | undefined> {
    // NOTE: one view of the metric for the whole read, its index read once (see ObjectSnapshot).
    const reading: ReadObjectsOptions = { snapshot: {} };
    const [rawBytes] = await this.#read(metricId, [RAW_OBJECT_NAME], reading);
    if (rawBytes === undefined) return undefined;
    this.#counters.reads += 1;
    const items = itemsOf(policy, query.granularities);
    const raw = this.#decode(metricId, RAW_OBJECT_NAME, rawBytes, decodeRawBuffer, [])?.series;
    const newest = raw?.timestamps[raw.timestamps.length - 1];
    const wanted = await this.#bundleNames(metricId, items, query, newest, reading);
    const bytes = await this.#read(metricId, wanted.flat(), reading);
    let at = 0;
    return items.map((item, index) => {
      const bundles = wanted[index] ?? [];
      const found = bytes.slice(at, at + bundles.length);
      at += bundles.length;
      const damaged: string[] = [];
      const stored = this.#methodSeries(metricId, bundles, found, query.method, damaged);
      return {
        granularity: item.granularity,
        sampling: query.resample ?? item.granularity,
        series: readAggregate(item, stored, query, newest),
        ...(damaged.length === 0 ? {} : { damaged }),
      };
    });
  }

  /**
   * The bundles each item's read needs, named when possible; the objects are listed once when
   * any item needs it, or when the raw buffer is corrupt and nothing anchors retention.
   */
  async #bundleNames(
    metricId: string,
    items: readonly ArchivePolicyItem[],
    query: AggregateQuery,
    newest: number | undefined,
    reading: ReadObjectsOptions,
  ): Promise<string[][]> {
    const named = items.map((item) =>
      newest === undefined ? undefined : bundlesToRead(item, query, newest),
    );
    if (named.every((names) => names !== undefined)) return named;
    const listed = await this.#list(metricId, reading);
    return items.map((item, index) => named[index] ?? bundlesInRange(listed, item, query));
  }

  /** One method's points from a granularity's bundles, oldest first; corrupt ones count empty. */
  #methodSeries(
    metricId: string,
    names: readonly string[],
    found: readonly (Uint8Array | undefined)[],
    method: string,
    damaged: string[],
  ): Series {
    const decode = (data: Uint8Array) => decodeSplitBundle(data, [method]);
    const parts = names.map((name, index) =>
      this.#decode(metricId, name, found[index], decode, damaged)?.get(method),
    );
    return concatAll(parts.filter((part) => part !== undefined));
  }

  async #read(
    metricId: string,
    names: readonly string[],
    options?: ReadObjectsOptions,
  ): Promise<(Uint8Array | undefined)[]> {
    if (names.length === 0) return [];
    const found = await this.#driver.readObjects(metricId, names, options);
    for (const [index, data] of found.entries()) {
      if (data === undefined) continue;
      this.#counters.bytesRead += data.length;
      if (names[index] !== RAW_OBJECT_NAME) this.#counters.splitsRead += 1;
    }
    return found;
  }

  async #list(metricId: string, options?: ReadObjectsOptions): Promise<string[]> {
    this.#counters.listings += 1;
    return this.#driver.listObjects(metricId, options);
  }

  /** Decodes an object; a corrupt one is reported, counted and read as missing. */
  #decode<T>(
    metricId: string,
    name: string,
    bytes: Uint8Array | undefined,
    decode: (bytes: Uint8Array) => T,
    corrupt: string[],
  ): T | undefined {
    if (bytes === undefined) return undefined;
    try {
      return decode(bytes);
    } catch (error) {
      if (!(error instanceof InvalidDataError)) throw error;
      this.#counters.corruptObjects += 1;
      corrupt.push(name);
      this.#onCorrupt?.(metricId, name, error);
      return undefined;
    }
  }

  #countWrite(accepted: number, written: number, deleted: number, put: Map<string, Uint8Array>) {
    const counters = this.#counters;
    counters.metricsProcessed += 1;
    counters.measuresAccepted += accepted;
    counters.splitsWritten += written;
    counters.splitsDeleted += deleted;
    for (const data of put.values()) counters.bytesWritten += data.length;
  }
}
