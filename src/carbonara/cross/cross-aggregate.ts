/**
 * Cross-metric aggregation of one request, granularity by granularity (Gnocchi's
 * `processor.aggregated`): lay the referenced series out on a grid, fill it, check how much of it
 * overlaps when no fill was asked for, evaluate the operations, and keep per output series the
 * points to answer.
 *
 * Fills: a number fills missing cells with itself; `null` and `dropna` leave them NaN; `ffill`,
 * `bfill`, `full_ffill` and `full_bfill` carry values along time. With `dropna` and the time fills
 * the NaN and infinite points of the results are dropped; with `null` or a number they stay.
 *
 * Without a fill, `neededOverlap` (a percentage) applies: the rows where every series has a value
 * overlap; with no `start`/`stop`, the grid is first trimmed to the first/last overlapping row.
 */
import { UnaggregableSeriesError } from '../errors.ts';
import type { Sampling } from '../grouped-series.ts';
import type { Series } from '../series.ts';
import type { CrossOperation, CrossReference } from './cross-operation.ts';
import { evaluateOperation } from './evaluate-operations.ts';
import {
  buildGrid,
  fillAlongTime,
  overlappingRows,
  sliceGrid,
  type SeriesGrid,
  type TimeFill,
} from './series-grid.ts';

/** The fills of cross-metric aggregation. */
export type CrossFill = number | 'null' | 'dropna' | TimeFill;

/** Every fill keyword, as Gnocchi lists them. */
export const CROSS_FILL_KEYWORDS: readonly Exclude<CrossFill, number>[] = [
  'null',
  'dropna',
  'ffill',
  'bfill',
  'full_ffill',
  'full_bfill',
];

/** The series of every reference at one granularity, in reference order. */
export interface GranularityInput {
  /** Microseconds. */
  readonly granularity: number;
  readonly series: readonly Series[];
}

/** How to aggregate. */
export interface CrossAggregateOptions {
  /** The `[ref, aggregation]` key of each reference, for `metric` nodes and error details. */
  readonly keys: readonly CrossReference[];
  /** Undefined: no fill, `neededOverlap` applies. */
  readonly fill?: CrossFill | undefined;
  /** A percentage. */
  readonly neededOverlap: number;
  /** Whether the read had bounds; unbounded sides are trimmed to the overlap. */
  readonly start?: number | undefined;
  readonly stop?: number | undefined;
}

/** The answer at one granularity: one series per output (one when aggregated). */
export interface CrossAggregateGroup {
  readonly granularity: Sampling;
  readonly series: readonly Series[];
}

/** The answer: aggregated to one series, or one series per reference. */
export interface CrossAggregateResult {
  readonly aggregated: boolean;
  /** Coarsest granularity first. */
  readonly groups: readonly CrossAggregateGroup[];
}

/** Aggregates the inputs; throws `UnaggregableSeriesError`. */
export function crossAggregate(
  operation: CrossOperation,
  inputs: readonly GranularityInput[],
  options: CrossAggregateOptions,
): CrossAggregateResult {
  const { fill, keys } = options;
  const dropInvalid = fill !== undefined && fill !== 'null' && typeof fill !== 'number';
  let aggregated = false;
  const groups: CrossAggregateGroup[] = [];
  for (const input of [...inputs].sort((a, b) => b.granularity - a.granularity)) {
    let grid = buildGrid(input.series, typeof fill === 'number' ? fill : NaN);
    if (fill !== undefined && fill !== 'null' && fill !== 'dropna' && typeof fill !== 'number') {
      fillAlongTime(grid, fill);
    }
    if (fill === undefined) grid = checkOverlap(grid, options);
    const result = evaluateOperation(operation, { grid, granularity: input.granularity, keys });
    if (result.scalar !== undefined) {
      throw new UnaggregableSeriesError('The operations give a number, not series', keys);
    }
    aggregated = result.aggregated;
    const outputs = aggregated ? Math.min(1, result.grid.columns) : result.grid.columns;
    const series: Series[] = [];
    for (let column = 0; column < outputs; column++) {
      series.push(columnSeries(result.grid, column, dropInvalid));
    }
    groups.push({ granularity: result.granularity, series });
  }
  return { aggregated, groups };
}

/** The grid trimmed to its overlap where unbounded; throws when too little overlaps. */
function checkOverlap(grid: SeriesGrid, options: CrossAggregateOptions): SeriesGrid {
  const { neededOverlap, keys } = options;
  const overlap = overlappingRows(grid);
  if (overlap.length === 0 && neededOverlap > 0) {
    throw new UnaggregableSeriesError('No overlap', keys);
  }
  const length = grid.timestamps.length;
  if (length === 0) return grid;
  const first = overlap[0];
  const last = overlap[overlap.length - 1];
  const from = options.start === undefined && first !== undefined ? first : 0;
  const to = options.stop === undefined && last !== undefined ? last + 1 : length;
  const trimmed = sliceGrid(grid, from, to);
  const percent = (overlap.length * 100) / trimmed.timestamps.length;
  if (percent < neededOverlap) {
    throw new UnaggregableSeriesError(
      `Less than ${neededOverlap.toFixed(6)}% of datapoints overlap in this timespan ` +
        `(${percent.toFixed(2)}%)`,
      keys,
    );
  }
  return trimmed;
}

/** One column as a series, without its NaN and infinite points when asked to. */
function columnSeries(grid: SeriesGrid, column: number, dropInvalid: boolean): Series {
  const length = grid.timestamps.length;
  const values = grid.values.subarray(column * length, (column + 1) * length);
  if (!dropInvalid) return { timestamps: grid.timestamps, values };
  let kept = 0;
  for (let i = 0; i < length; i++) if (Number.isFinite(values[i])) kept++;
  if (kept === length) return { timestamps: grid.timestamps, values };
  const out = { timestamps: new Float64Array(kept), values: new Float64Array(kept) };
  let k = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    out.timestamps[k] = grid.timestamps[i] as number;
    out.values[k++] = v;
  }
  return out;
}
