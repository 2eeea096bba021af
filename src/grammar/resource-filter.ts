/**
 * Gnocchi's resource search filter, as a tree both of its forms parse into: the JSON form of
 * `POST /v1/search/resource/<type>` (single-key objects, voluptuous's wording for faults) and the
 * string form of `?filter=` (`./filter-string.ts`). What a field means, and whether a value fits
 * it, is the indexer's business; this grammar only checks the shape.
 */
import { InvalidFilterError, type DocumentPath } from './errors.ts';

/** A value a filter compares with. */
export type FilterScalar = string | number | boolean | null;

/** The comparison operators, in one spelling each. */
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A filter: a tree of conditions. */
export type ResourceFilter =
  | { readonly kind: 'all' }
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly field: string;
      readonly value: FilterScalar;
    }
  | { readonly kind: 'in'; readonly field: string; readonly values: readonly FilterScalar[] }
  | { readonly kind: 'like'; readonly field: string; readonly pattern: FilterScalar }
  | { readonly kind: 'and' | 'or'; readonly children: readonly ResourceFilter[] }
  | { readonly kind: 'not'; readonly child: ResourceFilter };

/** Every spelling of a comparison, as Gnocchi accepts it, by the operator it means. */
export const COMPARISON_SPELLINGS: Readonly<Record<string, ComparisonOperator>> = {
  '=': '=',
  '==': '=',
  eq: '=',
  '!=': '!=',
  '≠': '!=',
  ne: '!=',
  '<': '<',
  lt: '<',
  '<=': '<=',
  '≤': '<=',
  le: '<=',
  '>': '>',
  gt: '>',
  '>=': '>=',
  '≥': '>=',
  ge: '>=',
};

/** Every spelling of a conjunction or disjunction. */
export const LOGICAL_SPELLINGS: Readonly<Record<string, 'and' | 'or'>> = {
  and: 'and',
  '∧': 'and',
  or: 'or',
  '∨': 'or',
};

/** Matches everything. */
export const MATCH_ALL: ResourceFilter = Object.freeze({ kind: 'all' });

/** Parses the JSON form; throws `InvalidFilterError` worded as Gnocchi's voluptuous schema. */
export function parseJsonFilter(document: unknown): ResourceFilter {
  return parseNode(document, []);
}

/** The same filter with every value of `field` passed through `map` (e.g. resource id transforms). */
export function mapFilterValues(
  filter: ResourceFilter,
  field: string,
  map: (value: FilterScalar) => FilterScalar,
): ResourceFilter {
  switch (filter.kind) {
    case 'all':
      return filter;
    case 'compare':
      return filter.field === field ? { ...filter, value: map(filter.value) } : filter;
    case 'in':
      return filter.field === field ? { ...filter, values: filter.values.map(map) } : filter;
    case 'like':
      return filter;
    case 'and':
    case 'or':
      return { ...filter, children: filter.children.map((c) => mapFilterValues(c, field, map)) };
    case 'not':
      return { ...filter, child: mapFilterValues(filter.child, field, map) };
  }
}

/** Deepest nesting of `and`, `or` and `not` a filter may have, so that none exhausts the stack. */
export const MAX_FILTER_DEPTH = 100;

function parseNode(node: unknown, path: DocumentPath, depth = 0): ResourceFilter {
  if (depth > MAX_FILTER_DEPTH) throw fault(`nested deeper than ${MAX_FILTER_DEPTH} levels`, path);
  if (!isObject(node)) throw fault('expected a dictionary', path);
  const entries = Object.entries(node);
  const [first] = entries;
  if (first === undefined) return MATCH_ALL;
  if (entries.length > 1) throw fault('length of value must be at most 1', path);
  const [key, value] = first;
  const at = [...path, key];
  const comparison = COMPARISON_SPELLINGS[key];
  if (comparison !== undefined) {
    const [field, operand] = singleField(value, at);
    return { kind: 'compare', op: comparison, field, value: scalar(operand, [...at, field]) };
  }
  if (key === 'like') {
    const [field, operand] = singleField(value, at);
    if (field === 'id') throw fault("value must not be one of ['id']", [...at, field]);
    return { kind: 'like', field, pattern: scalar(operand, [...at, field]) };
  }
  if (key === 'in') {
    const [field, operand] = singleField(value, at);
    const where = [...at, field];
    if (!Array.isArray(operand)) throw fault('expected a list', where);
    if (operand.length === 0) throw fault('length of value must be at least 1', where);
    const values = operand.map((item, index) => scalar(item, [...where, index]));
    return { kind: 'in', field, values };
  }
  const logical = LOGICAL_SPELLINGS[key];
  if (logical !== undefined) {
    if (!Array.isArray(value)) throw fault('expected a list', at);
    if (value.length === 0) throw fault('length of value must be at least 1', at);
    const children = value.map((child, index) => parseNode(child, [...at, index], depth + 1));
    return { kind: logical, children };
  }
  if (key === 'not') return { kind: 'not', child: parseNode(value, at, depth + 1) };
  throw fault('extra keys not allowed', at);
}

/** The one `{field: operand}` of a condition. */
function singleField(value: unknown, path: DocumentPath): [string, unknown] {
  if (!isObject(value)) throw fault('expected a dictionary', path);
  const entries = Object.entries(value);
  const [first] = entries;
  if (first === undefined) throw fault('length of value must be at least 1', path);
  if (entries.length > 1) throw fault('length of value must be at most 1', path);
  return first;
}

function scalar(value: unknown, path: DocumentPath): FilterScalar {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  ) {
    return value;
  }
  throw fault('expected str', path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fault(message: string, path: DocumentPath): InvalidFilterError {
  return new InvalidFilterError('json', message, path);
}
