/**
 * BoundTimeSerie: a metric's raw points still needed to recompute its aggregates.
 *
 * It keeps the block (of `blockSize`, the policy's largest granularity) holding the newest point,
 * plus `backWindow` blocks before it. New measures older than the first kept block are dropped
 * (and counted); the rest are merged, newer points replacing stored ones at equal timestamps.
 * Instances are immutable: {@link BoundTimeSerie.setValues} returns the next state.
 */
import { mergeSeries } from './merge-series.ts';
import { emptySeries, lowerBound, roundTimestamp, type Series } from './series.ts';

/** The bounds of a raw buffer. */
export interface BoundTimeSerieOptions {
  /** Width of a block (µs): the archive policy's largest granularity. */
  readonly blockSize: number;
  /** Whole blocks kept before the newest point's block. */
  readonly backWindow: number;
}

/** What folding new measures into a buffer produced. */
export interface BoundTimeSerieUpdate {
  /** The buffer after merging, before truncation: what the touched aggregates come from. */
  readonly merged: Series;
  /** The next state of the buffer, truncated to its blocks. */
  readonly bound: BoundTimeSerie;
  /** Aggregates must be recomputed for buckets from here on (µs); undefined when nothing came. */
  readonly recomputeFrom: number | undefined;
  /** Measures merged. */
  readonly accepted: number;
  /** Measures dropped for being older than the first kept block. */
  readonly dropped: number;
}

/** The raw buffer of one metric. */
export class BoundTimeSerie {
  readonly series: Series;
  readonly blockSize: number;
  readonly backWindow: number;

  constructor(series: Series, options: BoundTimeSerieOptions) {
    if (!(options.blockSize > 0) || !Number.isInteger(options.blockSize)) {
      throw new RangeError(`block size must be a positive whole number, not ${options.blockSize}`);
    }
    if (!(options.backWindow >= 0) || !Number.isInteger(options.backWindow)) {
      throw new RangeError(`back window must be a whole number >= 0, not ${options.backWindow}`);
    }
    this.series = series;
    this.blockSize = options.blockSize;
    this.backWindow = options.backWindow;
  }

  /** An empty buffer. */
  static empty(options: BoundTimeSerieOptions): BoundTimeSerie {
    return new BoundTimeSerie(emptySeries(), options);
  }

  /** The first timestamp a new measure may have to be kept, or undefined when empty. */
  firstBlockTimestamp(): number | undefined {
    return firstBlockOf(this.series, this);
  }

  /**
   * Folds sorted, duplicate-free measures (see `sortMeasures`) into the buffer, following
   * Gnocchi's `set_values`: drop what is older than the current first block, merge, then truncate
   * to the blocks of the merged newest point.
   */
  setValues(measures: Series): BoundTimeSerieUpdate {
    const cutoff = this.firstBlockTimestamp();
    const dropped = cutoff === undefined ? 0 : lowerBound(measures.timestamps, cutoff);
    const accepted: Series = {
      timestamps: measures.timestamps.subarray(dropped),
      values: measures.values.subarray(dropped),
    };
    const merged = mergeSeries(this.series, accepted);
    const firstMeasure = measures.timestamps[0];
    const firstMerged = merged.timestamps[0];
    const recomputeFrom =
      firstMeasure === undefined || firstMerged === undefined
        ? undefined
        : Math.max(firstMerged, firstMeasure);
    const keepFrom = firstBlockOf(merged, this) ?? 0;
    const start = lowerBound(merged.timestamps, keepFrom);
    const kept: Series = {
      timestamps: merged.timestamps.slice(start),
      values: merged.values.slice(start),
    };
    return {
      merged,
      bound: new BoundTimeSerie(kept, this),
      recomputeFrom,
      accepted: accepted.timestamps.length,
      dropped,
    };
  }
}

function firstBlockOf(series: Series, options: BoundTimeSerieOptions): number | undefined {
  const last = series.timestamps[series.timestamps.length - 1];
  if (last === undefined) return undefined;
  return roundTimestamp(last, options.blockSize) - options.blockSize * options.backWindow;
}
