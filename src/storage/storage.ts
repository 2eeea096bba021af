/**
 * The storage service: folds a metric's new measures into its raw buffer, computes every
 * aggregation of its archive policy for the touched buckets, writes the touched splits, deletes
 * those past the timespan, and serves reads of the aggregates.
 */
import type { ArchivePolicy } from '../archive-policy/index.ts';
import type { CalendarGrouping, Series } from '../carbonara/index.ts';
import type { StorageDriver } from './storage-driver.ts';

/** New measures for one metric. */
export interface MetricMeasures {
  readonly metricId: string;
  readonly policy: ArchivePolicy;
  /** Sorted, one value per timestamp (see `sortMeasures`). */
  readonly measures: Series;
}

/** What folding one metric's measures did. */
export interface AddMeasuresResult {
  /** Measures merged into the raw buffer. */
  readonly accepted: number;
  /** Measures dropped for being older than the back window. */
  readonly dropped: number;
  readonly splitsWritten: number;
  readonly splitsDeleted: number;
  /** Objects that failed to decode and were replaced by empty series. */
  readonly corrupt: readonly string[];
}

/** A read of one metric's aggregates. */
export interface MeasuresQuery {
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
  readonly granularity: number;
  readonly series: Series;
}

/** Called for every object that failed to decode (and was treated as empty). */
export type CorruptObjectListener = (metricId: string, object: string, error: Error) => void;

/** Options of {@link Storage}. */
export interface StorageOptions {
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
}

/** Aggregates of metrics on top of a driver. */
export class Storage {
  readonly #driver: StorageDriver;

  constructor(driver: StorageDriver, _options: StorageOptions = {}) {
    this.#driver = driver;
  }

  get driver(): StorageDriver {
    return this.#driver;
  }

  /** Creates the backend's layout (`orzo upgrade`). */
  async init(): Promise<void> {
    await this.#driver.init();
  }

  /** Folds one metric's new measures in and rewrites what they touched; run under its lock. */
  addMeasures(_item: MetricMeasures): Promise<AddMeasuresResult> {
    throw new Error('not implemented');
  }

  /**
   * Reads aggregates, coarsest granularity first, each in ascending time; `undefined` when the
   * metric has never been processed.
   */
  getMeasures(
    _metricId: string,
    _policy: ArchivePolicy,
    _query: MeasuresQuery,
  ): Promise<AggregateSeries[] | undefined> {
    throw new Error('not implemented');
  }

  /** Deletes everything stored for a metric; idempotent. */
  async deleteMetric(metricId: string): Promise<void> {
    await this.#driver.deleteMetric(metricId);
  }

  statistics(): StorageStatistics {
    throw new Error('not implemented');
  }
}
