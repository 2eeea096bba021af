/**
 * The operations of `POST /v1/aggregates`, read into a typed tree as Gnocchi's voluptuous schema
 * reads them: nested JSON lists, or the S-expression string (`nested-expression.ts`) whose tokens
 * are strings, numbers being coerced where a number is expected.
 *
 * The leaf is `metric` with one `[ref, aggregation]` pair (`["metric", "cpu", "mean"]`) or several
 * (`["metric", ["a", "mean"], ["b", "max"]]`). Above it: `aggregate` and `rolling` with a
 * cross-series method, `resample` with a Carbonara method and a timespan, and the unary, binary
 * and ternary (`clip`) operators under each of their spellings. A number may stand wherever an
 * operand may, except at the top.
 *
 * Errors read as voluptuous's do: a fault anywhere below a top-level operation is reported as
 * `'<op>' operation invalid`, and only a top-level `metric` locates the bad pair by index.
 */
import { InvalidOperationsError } from './errors.ts';
import { parseNestedExpression } from './nested-expression.ts';
import { pythonFloat } from './python-float.ts';
import { pythonFloatRepr, pythonStrRepr } from './python-repr.ts';
import { parsePositiveTimespan } from './timespan.ts';

/** The methods that reduce across series (`aggregate`) or along a window (`rolling`). */
export const CROSS_AGGREGATION_BASES = [
  'mean',
  'median',
  'std',
  'min',
  'max',
  'sum',
  'var',
  'count',
] as const;

/** One cross-series method. */
export type CrossAggregationBase = (typeof CROSS_AGGREGATION_BASES)[number];

/** A cross-series method, and whether it takes consecutive differences of the result (`rate:`). */
export interface CrossAggregationMethod {
  readonly base: CrossAggregationBase;
  readonly rate: boolean;
}

/** The binary operators by their canonical names. */
export type BinaryOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'mod'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'clip_min'
  | 'clip_max'
  | 'max';

/** Every spelling of a binary operator. */
export const BINARY_SPELLINGS: Readonly<Record<string, BinaryOperator>> = {
  '=': 'eq',
  '==': 'eq',
  eq: 'eq',
  '<': 'lt',
  lt: 'lt',
  '>': 'gt',
  gt: 'gt',
  '<=': 'le',
  '≤': 'le',
  le: 'le',
  '>=': 'ge',
  '≥': 'ge',
  ge: 'ge',
  '!=': 'ne',
  '≠': 'ne',
  ne: 'ne',
  '%': 'mod',
  mod: 'mod',
  '+': 'add',
  add: 'add',
  '-': 'sub',
  sub: 'sub',
  '*': 'mul',
  '×': 'mul',
  mul: 'mul',
  '/': 'div',
  '÷': 'div',
  div: 'div',
  '**': 'pow',
  '^': 'pow',
  pow: 'pow',
  clip_min: 'clip_min',
  clip_max: 'clip_max',
  max: 'max',
};

/** The unary operators by their canonical names. */
export type UnaryOperator =
  'abs' | 'neg' | 'cos' | 'sin' | 'tan' | 'floor' | 'ceil' | 'rateofchange' | 'rateofchangesec';

/** Every spelling of a unary operator. */
export const UNARY_SPELLINGS: Readonly<Record<string, UnaryOperator>> = {
  abs: 'abs',
  absolute: 'abs',
  neg: 'neg',
  negative: 'neg',
  cos: 'cos',
  sin: 'sin',
  tan: 'tan',
  floor: 'floor',
  ceil: 'ceil',
  rateofchange: 'rateofchange',
  rateofchangesec: 'rateofchangesec',
};

/** A `[ref, aggregation]` pair: a metric id (or, in resource mode, a name glob) and a method. */
export type MetricReference = readonly [string, string];

/** A node of the operations tree. */
export type OperationNode =
  | { readonly kind: 'metric'; readonly references: readonly MetricReference[] }
  | { readonly kind: 'number'; readonly value: number }
  | {
      readonly kind: 'aggregate';
      readonly method: CrossAggregationMethod;
      readonly operand: OperationNode;
    }
  | {
      readonly kind: 'rolling';
      readonly method: CrossAggregationMethod;
      readonly window: number;
      readonly operand: OperationNode;
    }
  | {
      readonly kind: 'resample';
      /** A Carbonara method: the cross-series ones but `var`, `first`, `last`, `NNpct`. */
      readonly method: string;
      /** Microseconds. */
      readonly sampling: number;
      readonly operand: OperationNode;
    }
  | { readonly kind: 'unary'; readonly operator: UnaryOperator; readonly operand: OperationNode }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: OperationNode;
      readonly right: OperationNode;
    }
  | {
      readonly kind: 'clip';
      readonly operand: OperationNode;
      readonly min: OperationNode;
      /** Absent: no upper bound (`["clip", x, min]`). */
      readonly max?: OperationNode;
    };

const CROSS_METHODS: ReadonlyMap<string, CrossAggregationMethod> = new Map(
  CROSS_AGGREGATION_BASES.flatMap((base): [string, CrossAggregationMethod][] => [
    [base, { base, rate: false }],
    [`rate:${base}`, { base, rate: true }],
  ]),
);

const RESAMPLE_METHODS: ReadonlySet<string> = new Set([
  ...[...CROSS_METHODS.keys()].filter((name) => name !== 'var' && name !== 'rate:var'),
  'first',
  'last',
  ...Array.from({ length: 99 }, (_unused, i) => `${i + 1}pct`),
]);

/** A cross-series method by name (`mean`, `rate:max`, …), or undefined for an unknown one. */
export function parseCrossAggregationMethod(name: string): CrossAggregationMethod | undefined {
  return CROSS_METHODS.get(name);
}

/** Not a valid node; the caller reports it for the top-level operation. */
class Invalid extends Error {}

/** Reads the `operations` of a request body; throws `InvalidOperationsError` or, for a string that does not parse, `InvalidOperationsStringError`. */
export function parseOperations(document: unknown): OperationNode {
  const tree = typeof document === 'string' ? parseNestedExpression(document) : document;
  if (!Array.isArray(tree)) {
    throw new InvalidOperationsError(`Expected a tuple/list, got a <class '${pythonType(tree)}'>`);
  }
  if (tree.length === 0) throw new InvalidOperationsError('Operation must not be empty');
  if (tree.length < 2) throw new InvalidOperationsError('Operation need at least one argument');
  if (tree[0] === 'metric') return parseMetric(tree.slice(1), true);
  try {
    const node = readOperation(tree, 0);
    if (node !== undefined) return node;
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
  }
  throw new InvalidOperationsError(`${pythonDisplay(tree[0])} operation invalid`);
}

/** The distinct `[ref, aggregation]` pairs of a tree, in the order they first appear. */
export function operationReferences(node: OperationNode): MetricReference[] {
  const found: MetricReference[] = [];
  const visit = (current: OperationNode): void => {
    switch (current.kind) {
      case 'metric':
        for (const reference of current.references) {
          if (!found.some(([ref, agg]) => ref === reference[0] && agg === reference[1])) {
            found.push(reference);
          }
        }
        return;
      case 'number':
        return;
      case 'binary':
        visit(current.left);
        visit(current.right);
        return;
      case 'clip':
        visit(current.operand);
        visit(current.min);
        if (current.max !== undefined) visit(current.max);
        return;
      default:
        visit(current.operand);
    }
  };
  visit(node);
  return found;
}

/** The tree as the JSON lists Gnocchi echoes back in errors (numbers coerced). */
export function operationsToJson(node: OperationNode): unknown {
  switch (node.kind) {
    case 'metric':
      return node.references.length === 1
        ? ['metric', ...(node.references[0] as MetricReference)]
        : ['metric', ...node.references.map((reference) => [...reference])];
    case 'number':
      return node.value;
    case 'aggregate':
      return ['aggregate', methodName(node.method), operationsToJson(node.operand)];
    case 'rolling':
      return ['rolling', methodName(node.method), node.window, operationsToJson(node.operand)];
    case 'resample':
      return ['resample', node.method, node.sampling / 1e6, operationsToJson(node.operand)];
    case 'unary':
      return [node.operator, operationsToJson(node.operand)];
    case 'binary':
      return [node.operator, operationsToJson(node.left), operationsToJson(node.right)];
    case 'clip':
      return [
        'clip',
        operationsToJson(node.operand),
        operationsToJson(node.min),
        ...(node.max === undefined ? [] : [operationsToJson(node.max)]),
      ];
  }
}

function methodName(method: CrossAggregationMethod): string {
  return method.rate ? `rate:${method.base}` : method.base;
}

/** A top-level `metric`'s pairs, each fault located by its index among them. */
function parseMetric(args: readonly unknown[], topLevel: boolean): OperationNode {
  if (args.length === 2 && typeof args[0] === 'string' && typeof args[1] === 'string') {
    return { kind: 'metric', references: [[args[0], args[1]]] };
  }
  const references: MetricReference[] = [];
  for (const [index, pair] of args.entries()) {
    if (Array.isArray(pair) && pair.length === 2) {
      const [ref, aggregation] = pair as unknown[];
      if (typeof ref === 'string' && typeof aggregation === 'string') {
        references.push([ref, aggregation]);
        continue;
      }
      if (topLevel) throw new InvalidOperationsError('expected str', [index]);
    } else if (topLevel) {
      throw new InvalidOperationsError('None', [index]);
    }
    throw new Invalid();
  }
  return { kind: 'metric', references };
}

/** A sub-node: an operation, or anything Python's `float()` takes. */
function readOperand(value: unknown, depth: number): OperationNode {
  if (Array.isArray(value)) {
    const node = readOperation(value, depth + 1);
    if (node !== undefined) return node;
  }
  const number = Array.isArray(value) ? undefined : pythonFloat(value);
  if (number === undefined) throw new Invalid();
  return { kind: 'number', value: number };
}

/** An operation list, or undefined when its name is no operation (it may then be a number). */
function readOperation(list: readonly unknown[], depth: number): OperationNode | undefined {
  if (depth > 256) throw new Invalid();
  const [name, ...args] = list;
  if (typeof name !== 'string') return undefined;
  if (name === 'metric') return args.length === 0 ? undefined : parseMetric(args, false);
  const operand = (at: number): OperationNode => readOperand(args[at], depth);
  const arity = (...counts: number[]): void => {
    if (!counts.includes(args.length)) throw new Invalid();
  };
  switch (name) {
    case 'aggregate':
    case 'rolling': {
      arity(name === 'aggregate' ? 2 : 3);
      const method = CROSS_METHODS.get(String(args[0]));
      if (method === undefined || typeof args[0] !== 'string') throw new Invalid();
      const last = operand(args.length - 1);
      if (name === 'aggregate') return { kind: 'aggregate', method, operand: last };
      return { kind: 'rolling', method, window: readWindow(args[1]), operand: last };
    }
    case 'resample': {
      arity(3);
      const method = args[0];
      if (typeof method !== 'string' || !RESAMPLE_METHODS.has(method)) throw new Invalid();
      return { kind: 'resample', method, sampling: readTimespan(args[1]), operand: operand(2) };
    }
    case 'clip': {
      arity(2, 3);
      const bounds = { operand: operand(0), min: operand(1) };
      return args.length === 3
        ? { kind: 'clip', ...bounds, max: operand(2) }
        : { kind: 'clip', ...bounds };
    }
  }
  const binary = BINARY_SPELLINGS[name];
  if (binary !== undefined && Object.hasOwn(BINARY_SPELLINGS, name)) {
    arity(2);
    return { kind: 'binary', operator: binary, left: operand(0), right: operand(1) };
  }
  const unary = UNARY_SPELLINGS[name];
  if (unary !== undefined && Object.hasOwn(UNARY_SPELLINGS, name)) {
    arity(1);
    return { kind: 'unary', operator: unary, operand: operand(0) };
  }
  return undefined;
}

/** Python's `int()` of the window, then at least 1. */
function readWindow(value: unknown): number {
  let window: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) window = Math.trunc(value);
  else if (typeof value === 'boolean') window = value ? 1 : 0;
  else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) window = Number(value);
  if (window === undefined || window < 1 || !Number.isSafeInteger(window)) throw new Invalid();
  return window;
}

function readTimespan(value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number') throw new Invalid();
  try {
    return parsePositiveTimespan(value);
  } catch {
    throw new Invalid();
  }
}

/** Python's type name of a JSON value, for `Expected a tuple/list, got a <class '…'>`. */
function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** `'%s' % value` of a JSON value, quoted as Gnocchi's message quotes it. */
function pythonDisplay(value: unknown): string {
  return `'${typeof value === 'string' ? value : pythonRepr(value)}'`;
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === 'string') return pythonStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${pythonStrRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
}
