/**
 * Evaluates an operations tree over a grid of series, as Gnocchi's `operations.evaluate`:
 * `metric` picks the grid's columns by their `[ref, aggregation]` key; `aggregate` reduces the
 * columns of each row to one; `rolling` reduces a moving window along each column (dropping the
 * first `window − 1` rows); `resample` re-buckets each column with a Carbonara method; unary and
 * binary operators work cell by cell, a number standing for a constant and a one-column operand
 * broadcast against a wider one. A result is "aggregated" (answered as one series) once an
 * `aggregate` ran or two series were combined.
 *
 * Everything is typed arrays; nothing is allocated per point.
 */
import { downsample } from '../downsample.ts';
import { UnaggregableSeriesError } from '../errors.ts';
import type { Sampling } from '../grouped-series.ts';
import { MICROS_PER_SECOND } from '../series.ts';
import type {
  CrossBinaryOperator,
  CrossMethod,
  CrossOperation,
  CrossReference,
  CrossUnaryOperator,
} from './cross-operation.ts';
import { cellReducer, differences } from './nan-reduce.ts';
import { sameTimestamps, type SeriesGrid } from './series-grid.ts';

/** What an operation evaluates to: a constant, or series on a grid. */
export type Evaluated =
  | { readonly scalar: number; readonly aggregated: boolean }
  | {
      readonly scalar?: undefined;
      readonly grid: SeriesGrid;
      /** µs, or a calendar period after a calendar resample. */
      readonly granularity: Sampling;
      readonly aggregated: boolean;
    };

type SeriesResult = Extract<Evaluated, { grid: SeriesGrid }>;

/** The grid an evaluation starts from, and which `[ref, aggregation]` each column holds. */
export interface EvaluationInput {
  readonly grid: SeriesGrid;
  readonly granularity: Sampling;
  readonly keys: readonly CrossReference[];
}

/** Evaluates `node` over the input's grid; throws `UnaggregableSeriesError`. */
export function evaluateOperation(node: CrossOperation, input: EvaluationInput): Evaluated {
  switch (node.kind) {
    case 'number':
      return { scalar: node.value, aggregated: false };
    case 'metric':
      return selectColumns(node.references, input);
    case 'aggregate':
      return aggregateColumns(node.method, seriesOperand(node.operand, input, 'aggregate'));
    case 'rolling':
      return rollWindows(
        node.method,
        node.window,
        seriesOperand(node.operand, input, 'rolling'),
        input,
      );
    case 'resample':
      return resampleColumns(
        node.method,
        node.sampling,
        seriesOperand(node.operand, input, 'resample'),
      );
    case 'unary':
      return applyUnary(node.operator, evaluateOperation(node.operand, input));
    case 'binary': {
      const fn = BINARY_FUNCTIONS[node.operator];
      const left = evaluateOperation(node.left, input);
      const right = evaluateOperation(node.right, input);
      return combine([left, right], node.operator, input, (v) =>
        fn(v[0] as number, v[1] as number),
      );
    }
    case 'clip': {
      const operands = [node.operand, node.min, ...(node.max === undefined ? [] : [node.max])];
      const evaluated = operands.map((operand) => evaluateOperation(operand, input));
      return combine(evaluated, 'clip', input, (v) => clip(v[0] as number, v[1] as number, v[2]));
    }
  }
}

function selectColumns(
  references: readonly CrossReference[],
  input: EvaluationInput,
): SeriesResult {
  const { grid, keys, granularity } = input;
  const picked: number[] = [];
  for (const [column, [ref, aggregation]] of keys.entries()) {
    if (references.some((r) => r[0] === ref && r[1] === aggregation)) picked.push(column);
  }
  const length = grid.timestamps.length;
  const values = new Float64Array(picked.length * length);
  for (const [at, column] of picked.entries()) {
    values.set(grid.values.subarray(column * length, (column + 1) * length), at * length);
  }
  const selected = { timestamps: grid.timestamps, columns: picked.length, values };
  return { grid: selected, granularity, aggregated: false };
}

function seriesOperand(
  node: CrossOperation,
  input: EvaluationInput,
  operation: string,
): SeriesResult {
  const evaluated = evaluateOperation(node, input);
  if (evaluated.scalar !== undefined) {
    throw new UnaggregableSeriesError(`'${operation}' needs series, not a number`, input.keys);
  }
  return evaluated;
}

function aggregateColumns(method: CrossMethod, operand: SeriesResult): SeriesResult {
  const { timestamps, columns, values } = operand.grid;
  const length = timestamps.length;
  const reduce = cellReducer(method.base);
  const scratch = new Float64Array(columns);
  let out: Float64Array = new Float64Array(length);
  // NOTE: one cells object, moved along, so that no object is made per point.
  const cells = { values, start: 0, count: columns, stride: length };
  for (let row = 0; row < length; row++) {
    cells.start = row;
    out[row] = reduce(cells, scratch);
  }
  let kept = timestamps;
  if (method.rate) {
    out = differences(out, 0, length);
    kept = timestamps.subarray(1);
  }
  return { ...operand, grid: { timestamps: kept, columns: 1, values: out }, aggregated: true };
}

function rollWindows(
  method: CrossMethod,
  window: number,
  operand: SeriesResult,
  input: EvaluationInput,
): SeriesResult {
  const { timestamps, columns, values } = operand.grid;
  const length = timestamps.length;
  if (window > length) {
    throw new UnaggregableSeriesError(
      `Rolling window '${window}' is greater than serie length '${length}'`,
      input.keys,
    );
  }
  const reduce = cellReducer(method.base);
  const scratch = new Float64Array(window);
  const windows = length - window + 1;
  const rows = method.rate ? windows - 1 : windows;
  const out = new Float64Array(columns * Math.max(0, rows));
  const reduced = new Float64Array(windows);
  const cells = { values, start: 0, count: window, stride: 1 };
  for (let column = 0; column < columns; column++) {
    for (let w = 0; w < windows; w++) {
      cells.start = column * length + w;
      reduced[w] = reduce(cells, scratch);
    }
    out.set(method.rate ? differences(reduced, 0, windows) : reduced, column * rows);
  }
  const kept = timestamps.subarray(window - 1 + (method.rate ? 1 : 0));
  return { ...operand, grid: { timestamps: kept, columns, values: out } };
}

function resampleColumns(method: string, sampling: Sampling, operand: SeriesResult): SeriesResult {
  const { timestamps, columns, values } = operand.grid;
  const length = timestamps.length;
  const resampled = [];
  for (let column = 0; column < columns; column++) {
    const series = { timestamps, values: values.subarray(column * length, (column + 1) * length) };
    resampled.push(downsample(series, { sampling, method }));
  }
  const kept = resampled[0]?.timestamps ?? new Float64Array(0);
  const out = new Float64Array(columns * kept.length);
  for (const [column, series] of resampled.entries()) out.set(series.values, column * kept.length);
  return { ...operand, granularity: sampling, grid: { timestamps: kept, columns, values: out } };
}

function applyUnary(operator: CrossUnaryOperator, operand: Evaluated): Evaluated {
  if (operator === 'rateofchange' || operator === 'rateofchangesec') {
    if (operand.scalar !== undefined) {
      throw new UnaggregableSeriesError(`'${operator}' needs series, not a number`, []);
    }
    return operator === 'rateofchange' ? rateOfChange(operand) : rateOfChangePerSecond(operand);
  }
  const fn = UNARY_FUNCTIONS[operator];
  if (operand.scalar !== undefined) return { ...operand, scalar: fn(operand.scalar) };
  const { values } = operand.grid;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = fn(values[i] as number);
  return { ...operand, grid: { ...operand.grid, values: out } };
}

function rateOfChange(operand: SeriesResult): SeriesResult {
  const { timestamps, columns, values } = operand.grid;
  const length = timestamps.length;
  const rows = Math.max(0, length - 1);
  const out = new Float64Array(columns * rows);
  for (let column = 0; column < columns; column++) {
    out.set(differences(values, column * length, length), column * rows);
  }
  return { ...operand, grid: { timestamps: timestamps.subarray(1), columns, values: out } };
}

function rateOfChangePerSecond(operand: SeriesResult): SeriesResult {
  const { timestamps, columns, values } = operand.grid;
  const length = timestamps.length;
  const out = new Float64Array(values.length);
  for (let column = 0; column < columns; column++) {
    const base = column * length;
    out[base] = NaN;
    for (let row = 1; row < length; row++) {
      const seconds =
        ((timestamps[row] as number) - (timestamps[row - 1] as number)) / MICROS_PER_SECOND;
      out[base + row] =
        ((values[base + row] as number) - (values[base + row - 1] as number)) / seconds;
    }
  }
  return { ...operand, grid: { ...operand.grid, values: out } };
}

/**
 * Applies `fn` cell by cell over operands that are numbers or series of the same timestamps,
 * broadcasting one-column series. The result is aggregated when an operand was, or when every
 * operand of a binary operator (all three of a `clip`) is a series, as Gnocchi decides.
 */
function combine(
  operands: readonly Evaluated[],
  operator: CrossBinaryOperator | 'clip',
  input: EvaluationInput,
  fn: (cell: readonly number[]) => number,
): Evaluated {
  const series = operands.filter(
    (operand): operand is SeriesResult => operand.scalar === undefined,
  );
  const allSeries =
    series.length === operands.length && (operator !== 'clip' || operands.length === 3);
  const aggregated = allSeries || operands.some((operand) => operand.aggregated);
  const cell = operands.map((operand) => operand.scalar ?? NaN);
  const first = series[0];
  if (first === undefined) return { scalar: fn(cell), aggregated };
  const length = first.grid.timestamps.length;
  const columns = broadcastColumns(series, first, operator, input);
  // NOTE: per operand, the values and the offset of the column for each output column.
  const sources = operands.map((operand) =>
    operand.scalar === undefined ? operand.grid : undefined,
  );
  const out = new Float64Array(columns * length);
  for (let column = 0; column < columns; column++) {
    for (let row = 0; row < length; row++) {
      for (let at = 0; at < sources.length; at++) {
        const source = sources[at];
        if (source === undefined) continue;
        cell[at] = source.values[(source.columns === 1 ? 0 : column) * length + row] as number;
      }
      out[column * length + row] = fn(cell);
    }
  }
  const grid = { timestamps: first.grid.timestamps, columns, values: out };
  return { grid, granularity: first.granularity, aggregated };
}

/** The width of the result: the operands' common width, one-column operands broadcast. */
function broadcastColumns(
  series: readonly SeriesResult[],
  first: SeriesResult,
  operator: string,
  input: EvaluationInput,
): number {
  let columns = 1;
  for (const operand of series) {
    if (!sameSampling(operand, first)) {
      throw new UnaggregableSeriesError(
        `Can't compute timeseries with different granularity or timestamps in '${operator}'`,
        input.keys,
      );
    }
    const width = operand.grid.columns;
    if (width !== 1 && columns !== 1 && width !== columns) {
      throw new UnaggregableSeriesError(
        `The operands of '${operator}' hold ${columns} and ${width} series`,
        input.keys,
      );
    }
    if (width !== 1) columns = width;
  }
  return columns;
}

function sameSampling(a: SeriesResult, b: SeriesResult): boolean {
  return a.granularity === b.granularity && sameTimestamps(a.grid.timestamps, b.grid.timestamps);
}

/** numpy's `clip`: NaN stays NaN; no upper bound when `max` is absent. */
function clip(value: number, min: number, max: number | undefined): number {
  if (value !== value) return NaN;
  const floored = value < min ? min : value;
  return max !== undefined && floored > max ? max : floored;
}

/** numpy's floored modulo: the result takes the divisor's sign. */
function mod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

const BINARY_FUNCTIONS: Readonly<Record<CrossBinaryOperator, (a: number, b: number) => number>> = {
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  mod,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  clip_min: (a, b) => clip(a, b, undefined),
  clip_max: (a, b) => (a !== a ? NaN : a > b ? b : a),
  // NOTE: numpy's `fmax`: a NaN operand yields the other one.
  max: (a, b) => (a !== a ? b : b !== b ? a : Math.max(a, b)),
};

const UNARY_FUNCTIONS: Readonly<
  Record<Exclude<CrossUnaryOperator, 'rateofchange' | 'rateofchangesec'>, (v: number) => number>
> = {
  abs: Math.abs,
  neg: (v) => -v,
  cos: Math.cos,
  sin: Math.sin,
  tan: Math.tan,
  floor: Math.floor,
  ceil: Math.ceil,
};
