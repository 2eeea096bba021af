/**
 * The time × series grid of cross-metric aggregation: the union of the series' timestamps, and
 * one column per series with its value at each of them, NaN (or a fill number) where it has none.
 * Columns are contiguous (`values[column * length + row]`), so per-series steps (resample,
 * rolling, fills along time) read them as slices.
 */
import type { Series } from '../series.ts';

/** A grid of `columns` series over `timestamps`. */
export interface SeriesGrid {
  /** Integer microseconds, strictly increasing. */
  readonly timestamps: Float64Array;
  readonly columns: number;
  /** `columns × timestamps.length` cells, column after column. */
  readonly values: Float64Array;
}

/** How missing cells are filled along time, per column. */
export type TimeFill = 'ffill' | 'bfill' | 'full_ffill' | 'full_bfill';

/** Lays `series` out on the union of their timestamps, missing cells holding `missing`. */
export function buildGrid(series: readonly Series[], missing: number): SeriesGrid {
  const timestamps = unionOfTimestamps(series);
  const length = timestamps.length;
  const values = new Float64Array(series.length * length);
  for (const [column, { timestamps: own, values: ownValues }] of series.entries()) {
    const base = column * length;
    if (own.length === length) {
      // NOTE: a subset of the union with as many timestamps is the union itself.
      values.set(ownValues, base);
      continue;
    }
    values.fill(missing, base, base + length);
    let row = 0;
    for (let i = 0; i < own.length; i++) {
      const ts = own[i] as number;
      while ((timestamps[row] as number) < ts) row++;
      values[base + row] = ownValues[i] as number;
    }
  }
  return { timestamps, columns: series.length, values };
}

/** Replaces NaN cells along time: forward, backward, or both in the order named. */
export function fillAlongTime(grid: SeriesGrid, fill: TimeFill): void {
  const length = grid.timestamps.length;
  for (let column = 0; column < grid.columns; column++) {
    const base = column * length;
    if (fill === 'ffill' || fill === 'full_ffill') forwardFill(grid.values, base, length);
    if (fill !== 'ffill') backwardFill(grid.values, base, length);
    if (fill === 'full_bfill') forwardFill(grid.values, base, length);
  }
}

/** The rows where no column is NaN. */
export function overlappingRows(grid: SeriesGrid): number[] {
  const length = grid.timestamps.length;
  const rows: number[] = [];
  for (let row = 0; row < length; row++) {
    let complete = true;
    for (let column = 0; column < grid.columns && complete; column++) {
      const v = grid.values[column * length + row] as number;
      complete = v === v;
    }
    if (complete) rows.push(row);
  }
  return rows;
}

/** The grid restricted to rows `from` (inclusive) to `to` (exclusive). */
export function sliceGrid(grid: SeriesGrid, from: number, to: number): SeriesGrid {
  const length = grid.timestamps.length;
  if (from === 0 && to === length) return grid;
  const rows = to - from;
  const values = new Float64Array(grid.columns * rows);
  for (let column = 0; column < grid.columns; column++) {
    const base = column * length;
    values.set(grid.values.subarray(base + from, base + to), column * rows);
  }
  return { timestamps: grid.timestamps.slice(from, to), columns: grid.columns, values };
}

function forwardFill(values: Float64Array, base: number, length: number): void {
  let last = NaN;
  for (let i = base; i < base + length; i++) {
    const v = values[i] as number;
    if (v === v) last = v;
    else values[i] = last;
  }
}

function backwardFill(values: Float64Array, base: number, length: number): void {
  let next = NaN;
  for (let i = base + length - 1; i >= base; i--) {
    const v = values[i] as number;
    if (v === v) next = v;
    else values[i] = next;
  }
}

/** The sorted union of sorted timestamp arrays, merged one series at a time. */
function unionOfTimestamps(series: readonly Series[]): Float64Array {
  let union: Float64Array = new Float64Array(0);
  for (const { timestamps } of series) {
    if (timestamps.length === 0 || sameTimestamps(union, timestamps)) continue;
    union = union.length === 0 ? timestamps : mergeUnique(union, timestamps);
  }
  return union;
}

/** Whether two timestamp arrays hold the same timestamps. */
export function sameTimestamps(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mergeUnique(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x <= y) {
      out[k++] = x;
      i++;
      if (x === y) j++;
    } else {
      out[k++] = y;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out.subarray(0, k);
}
