/**
 * The body of `POST /v1/search/metric`: a predicate on one measure's value, as Gnocchi's
 * `MetricSearchSchema` reads it, compiled into a function.
 *
 * A node is an object of one key: a comparison or arithmetic operator with a number (`{">": 5}`
 * is `value > 5`) or with two operands, each a number or a node (`{"=": [{"+": 1}, 4]}` is
 * `value + 1 == 4`); or `and` / `or` (also `∧` / `∨`) with a list of nodes; or `not` with a list of
 * one node. Comparisons give 1 or 0, so they combine with arithmetic as Python's booleans do, and
 * a value is selected when the predicate gives anything but 0 (NaN included, as in Python).
 * `%` is Python's floored modulo.
 */
import { InvalidFilterError, type DocumentPath } from './errors.ts';

/** A compiled predicate. */
export type ValuePredicate = (value: number) => boolean;

type Evaluator = (value: number) => number;

const BINARY: Record<string, (a: number, b: number) => number> = {};
const define = (spellings: readonly string[], fn: (a: number, b: number) => number): void => {
  for (const spelling of spellings) BINARY[spelling] = fn;
};
define(['=', '==', 'eq'], (a, b) => Number(a === b));
define(['<', 'lt'], (a, b) => Number(a < b));
define(['>', 'gt'], (a, b) => Number(a > b));
define(['<=', '≤', 'le'], (a, b) => Number(a <= b));
define(['>=', '≥', 'ge'], (a, b) => Number(a >= b));
define(['!=', '≠', 'ne'], (a, b) => Number(a !== b));
define(['%', 'mod'], (a, b) => {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
});
define(['+', 'add'], (a, b) => a + b);
define(['-', 'sub'], (a, b) => a - b);
define(['*', '×', 'mul'], (a, b) => a * b);
define(['/', '÷', 'div'], (a, b) => a / b);
define(['**', '^', 'pow'], (a, b) => a ** b);

const LOGICAL = new Set(['and', 'or', '∧', '∨', 'not']);

/** Compiles a predicate; throws `InvalidFilterError` (JSON form) locating the fault. */
export function parseMetricValueQuery(document: unknown): ValuePredicate {
  const evaluate = compileNode(document, [], 0);
  return (value) => evaluate(value) !== 0;
}

function compileNode(node: unknown, path: DocumentPath, depth: number): Evaluator {
  if (depth > 64) throw new InvalidFilterError('json', 'nested too deeply', path);
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new InvalidFilterError('json', 'expected a dictionary', path);
  }
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length !== 1) {
    const bound = entries.length === 0 ? 'at least' : 'at most';
    throw new InvalidFilterError('json', `length of value must be ${bound} 1`, path);
  }
  const [operator, operand] = entries[0] as [string, unknown];
  const at = [...path, operator];
  if (LOGICAL.has(operator)) return compileLogical(operator, operand, at, depth);
  const fn = Object.hasOwn(BINARY, operator) ? BINARY[operator] : undefined;
  if (fn === undefined) throw new InvalidFilterError('json', 'extra keys not allowed', at);
  if (isNumber(operand)) {
    const constant = Number(operand);
    return (value) => fn(value, constant);
  }
  if (!Array.isArray(operand) || operand.length !== 2) {
    throw new InvalidFilterError('json', 'expected a number or a list of two operands', at);
  }
  const [left, right] = operand.map((item, index) =>
    isNumber(item) ? () => Number(item) : compileNode(item, [...at, index], depth + 1),
  ) as [Evaluator, Evaluator];
  return (value) => fn(left(value), right(value));
}

function compileLogical(
  operator: string,
  operand: unknown,
  at: DocumentPath,
  depth: number,
): Evaluator {
  if (!Array.isArray(operand)) throw new InvalidFilterError('json', 'expected a list', at);
  const children = operand.map((item, index) => compileNode(item, [...at, index], depth + 1));
  if (operator === 'not') {
    const [only] = children;
    if (only === undefined || children.length !== 1) {
      throw new InvalidFilterError('json', "'not' takes a list of exactly one node", at);
    }
    return (value) => Number(only(value) === 0);
  }
  // NOTE: index loops, so that evaluating a value makes no closure or iterator.
  const all = operator === 'and' || operator === '∧';
  return (value) => {
    for (let i = 0; i < children.length; i++) {
      if (((children[i] as Evaluator)(value) !== 0) !== all) return all ? 0 : 1;
    }
    return all ? 1 : 0;
  };
}

/** A JSON number (booleans count, as Python's `int` takes them). */
function isNumber(value: unknown): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}
