/**
 * The reductions of cross-metric aggregation, with numpy's NaN-ignoring semantics (`nanmean`,
 * `nanmedian`, `nanstd`, `nanmin`, `nanmax`, `nansum`, `nanvar`, and a count of non-NaN values):
 * NaN cells are left out; when every cell is NaN the result is NaN, except `sum` (0) and `count`
 * (0). `std` and `var` are population statistics (ddof 0). Sums add in index order.
 *
 * The cells of one reduction are `count` values `stride` apart from `start` in a flat array, so
 * the same code reduces a row across the columns of a grid and a window along one column.
 */

/** The methods of cross-metric reductions. */
export type CrossReduceBase = 'mean' | 'median' | 'std' | 'min' | 'max' | 'sum' | 'var' | 'count';

/** Where the cells of one reduction lie. */
export interface Cells {
  readonly values: Float64Array;
  readonly start: number;
  readonly count: number;
  readonly stride: number;
}

/** A reducer over cells; `scratch` holds at least `count` values, for sorting. */
export type CellReducer = (cells: Cells, scratch: Float64Array) => number;

const mean: CellReducer = ({ values, start, count, stride }) => {
  let total = 0;
  let n = 0;
  for (let i = 0, at = start; i < count; i++, at += stride) {
    const v = values[at] as number;
    if (v === v) {
      total += v;
      n++;
    }
  }
  return n === 0 ? NaN : total / n;
};

const variance: CellReducer = (cells, scratch) => {
  const { values, start, count, stride } = cells;
  const average = mean(cells, scratch);
  if (average !== average) return NaN;
  let squares = 0;
  let n = 0;
  for (let i = 0, at = start; i < count; i++, at += stride) {
    const v = values[at] as number;
    if (v === v) {
      const d = v - average;
      squares += d * d;
      n++;
    }
  }
  return squares / n;
};

const REDUCERS: Readonly<Record<CrossReduceBase, CellReducer>> = {
  mean,
  var: variance,
  std: (cells, scratch) => Math.sqrt(variance(cells, scratch)),
  sum: ({ values, start, count, stride }) => {
    let total = 0;
    for (let i = 0, at = start; i < count; i++, at += stride) {
      const v = values[at] as number;
      if (v === v) total += v;
    }
    return total;
  },
  count: ({ values, start, count, stride }) => {
    let n = 0;
    for (let i = 0, at = start; i < count; i++, at += stride) {
      if ((values[at] as number) === (values[at] as number)) n++;
    }
    return n;
  },
  min: ({ values, start, count, stride }) => {
    let best = NaN;
    for (let i = 0, at = start; i < count; i++, at += stride) {
      const v = values[at] as number;
      if (v < best || best !== best) best = v;
    }
    return best;
  },
  max: ({ values, start, count, stride }) => {
    let best = NaN;
    for (let i = 0, at = start; i < count; i++, at += stride) {
      const v = values[at] as number;
      if (v > best || best !== best) best = v;
    }
    return best;
  },
  median: ({ values, start, count, stride }, scratch) => {
    let n = 0;
    for (let i = 0, at = start; i < count; i++, at += stride) {
      const v = values[at] as number;
      if (v === v) scratch[n++] = v;
    }
    if (n === 0) return NaN;
    const sorted = scratch.subarray(0, n).sort();
    return ((sorted[(n - 1) >> 1] as number) + (sorted[n >> 1] as number)) / 2;
  },
};

/** The reducer of a method. */
export function cellReducer(base: CrossReduceBase): CellReducer {
  return REDUCERS[base];
}

/** `out[i] = values[i + 1] − values[i]`, numpy's `diff`, into a new array one shorter. */
export function differences(values: Float64Array, start: number, count: number): Float64Array {
  const out = new Float64Array(Math.max(0, count - 1));
  for (let i = 0; i < out.length; i++) {
    out[i] = (values[start + i + 1] as number) - (values[start + i] as number);
  }
  return out;
}
