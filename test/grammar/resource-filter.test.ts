import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  filterStringToJson,
  InvalidFilterError,
  parseFilterString,
  parseJsonFilter,
  type ComparisonOperator,
  type FilterScalar,
  type ResourceFilter,
} from '../../src/grammar/index.ts';

type Row = Readonly<Record<string, FilterScalar>>;

/** The reference: what a filter means for one row, with SQL's NULL rules where they matter. */
function evaluate(filter: ResourceFilter, row: Row): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'compare': {
      const value = row[filter.field] ?? null;
      if (filter.value === null)
        return filter.op === '=' ? value === null : filter.op === '!=' && value !== null;
      if (filter.op === '!=') return value === null || value !== filter.value;
      if (value === null) return false;
      return compare(value, filter.op, filter.value);
    }
    case 'in':
      return filter.values.includes(row[filter.field] ?? null);
    case 'like':
      return false;
    case 'and':
      return filter.children.every((child) => evaluate(child, row));
    case 'or':
      return filter.children.some((child) => evaluate(child, row));
    case 'not':
      return !evaluate(filter.child, row);
  }
}

function compare(a: FilterScalar, op: ComparisonOperator, b: FilterScalar): boolean {
  const [x, y] = [a as number, b as number];
  switch (op) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

const SPELLINGS: Readonly<Record<ComparisonOperator, readonly string[]>> = {
  '=': ['=', '==', 'eq'],
  '!=': ['!=', '≠', 'ne'],
  '<': ['<', 'lt'],
  '<=': ['<=', '≤', 'le'],
  '>': ['>', 'gt'],
  '>=': ['>=', '≥', 'ge'],
};

const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(null));
const field = fc.constantFrom('x', 'y');
const leaf: fc.Arbitrary<ResourceFilter> = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    op: fc.constantFrom<ComparisonOperator>('=', '!=', '<', '<=', '>', '>='),
    field,
    value,
  }),
  fc.record({
    kind: fc.constant('in' as const),
    field,
    values: fc.array(value, { minLength: 1, maxLength: 3 }),
  }),
);
const { tree } = fc.letrec<{ tree: ResourceFilter }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      children: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('not' as const), child: tie('tree') }),
  ),
}));
const rows = fc.array(fc.record({ x: value, y: value }), { minLength: 1, maxLength: 8 });

/** The JSON form, each operator in a random spelling. */
function toJson(filter: ResourceFilter, pick: () => number): unknown {
  const spell = (spellings: readonly string[]) => spellings[pick() % spellings.length]!;
  switch (filter.kind) {
    case 'all':
      return {};
    case 'compare':
      return { [spell(SPELLINGS[filter.op])]: { [filter.field]: filter.value } };
    case 'in':
      return { in: { [filter.field]: filter.values } };
    case 'like':
      return { like: { [filter.field]: filter.pattern } };
    case 'and':
      return { [spell(['and', '∧'])]: filter.children.map((child) => toJson(child, pick)) };
    case 'or':
      return { [spell(['or', '∨'])]: filter.children.map((child) => toJson(child, pick)) };
    case 'not':
      return { not: toJson(filter.child, pick) };
  }
}

const PRECEDENCE = { or: 1, and: 2, not: 3 } as const;

/** The string form, with parentheses only where precedence needs them. */
function toText(filter: ResourceFilter, parent = 0): string {
  const term = (item: FilterScalar) => (item === null ? 'null' : String(item));
  switch (filter.kind) {
    case 'compare':
      return `${filter.field} ${SPELLINGS[filter.op][0]!} ${term(filter.value)}`;
    case 'in':
      return `${filter.field} in [${filter.values.map(term).join(', ')}]`;
    case 'and':
    case 'or': {
      const own = PRECEDENCE[filter.kind];
      const text = filter.children.map((child) => toText(child, own)).join(` ${filter.kind} `);
      return own <= parent ? `(${text})` : text;
    }
    case 'not':
      return `not ${toText(filter.child, PRECEDENCE.not)}`;
    default:
      throw new Error('not generated');
  }
}

describe('the resource filter grammar', () => {
  it('means the same in the JSON form, in any spelling, as the tree it came from', () => {
    fc.assert(
      fc.property(tree, rows, fc.array(fc.nat(), { minLength: 1 }), (filter, table, choices) => {
        let next = 0;
        const parsed = parseJsonFilter(toJson(filter, () => choices[next++ % choices.length]!));
        for (const row of table) assert.equal(evaluate(parsed, row), evaluate(filter, row));
      }),
    );
  });

  it('means the same in the string form, precedence and all', () => {
    fc.assert(
      fc.property(tree, rows, (filter, table) => {
        const parsed = parseFilterString(toText(filter));
        for (const row of table) assert.equal(evaluate(parsed, row), evaluate(filter, row));
      }),
    );
  });

  it('reads every kind of value of the string form', () => {
    assert.deepEqual(
      filterStringToJson(
        `a = 'x y' and b = "q" and c = 1.5 and d = True and e = None and f in [1, two] and g = faef212f-5e4c-4a3c-9c44-1c1a4c7f5e6b`,
      ),
      {
        and: [
          { '=': { a: 'x y' } },
          { '=': { b: 'q' } },
          { '=': { c: 1.5 } },
          { '=': { d: true } },
          { '=': { e: null } },
          { in: { f: [1, 'two'] } },
          { '=': { g: 'faef212f-5e4c-4a3c-9c44-1c1a4c7f5e6b' } },
        ],
      },
    );
    assert.deepEqual(filterStringToJson('a=1 ∨ b≥2 ∧ not c like "x%"'), {
      or: [{ '=': { a: 1 } }, { and: [{ '≥': { b: 2 } }, { not: { like: { c: 'x%' } } }] }],
    });
  });

  it('refuses what Gnocchi refuses, in its words', () => {
    const refusals: [unknown, string, (string | number)[]][] = [
      [{ foo: { a: 1 } }, 'extra keys not allowed', ['foo']],
      [{ '=': {} }, 'length of value must be at least 1', ['=']],
      [{ '=': { a: 1, b: 2 } }, 'length of value must be at most 1', ['=']],
      [{ and: {} }, 'expected a list', ['and']],
      [{ or: [] }, 'length of value must be at least 1', ['or']],
      [{ in: { id: [] } }, 'length of value must be at least 1', ['in', 'id']],
      [{ like: { id: 'x%' } }, "value must not be one of ['id']", ['like', 'id']],
      [{ '=': { a: [1] } }, 'expected str', ['=', 'a']],
      [{ not: { and: [{ x: 1 }] } }, 'extra keys not allowed', ['not', 'and', 0, 'x']],
      [{ a: 1, b: 2 }, 'length of value must be at most 1', []],
      [[], 'expected a dictionary', []],
    ];
    for (const [document, message, path] of refusals) {
      assert.throws(
        () => parseJsonFilter(document),
        (error: unknown) =>
          error instanceof InvalidFilterError &&
          error.message === message &&
          JSON.stringify(error.path) === JSON.stringify(path),
        JSON.stringify(document),
      );
    }
    for (const text of ['a =', 'a = 1 and', '(a = 1', 'a 1', "a = 'open", 'a = 1 b = 2']) {
      assert.throws(
        () => parseFilterString(text),
        /^InvalidFilterError: Invalid filter: Expected/,
        text,
      );
    }
  });
});

describe('filters nested too deeply', () => {
  it('are refused in the JSON form, not overflowing the stack', () => {
    const deep = JSON.parse('{"and":['.repeat(5000) + '{}' + ']}'.repeat(5000)) as unknown;
    assert.throws(() => parseJsonFilter(deep), {
      name: 'InvalidFilterError',
      message: /nested deeper than 100 levels/,
    });
    const nots = JSON.parse('{"not":'.repeat(5000) + '{}' + '}'.repeat(5000)) as unknown;
    assert.throws(() => parseJsonFilter(nots), { name: 'InvalidFilterError' });
    const fine = JSON.parse('{"not":'.repeat(100) + '{}' + '}'.repeat(100)) as unknown;
    assert.doesNotThrow(() => parseJsonFilter(fine));
  });

  it('are refused in the string form', () => {
    assert.throws(() => parseFilterString(`${'('.repeat(5000)}a = 1${')'.repeat(5000)}`), {
      name: 'InvalidFilterError',
      message: /^Invalid filter: nested deeper than 100 levels/,
    });
    assert.throws(() => parseFilterString(`${'not '.repeat(5000)}a = 1`), {
      name: 'InvalidFilterError',
    });
    assert.throws(() => parseFilterString(`a in ${'['.repeat(5000)}1${']'.repeat(5000)}`), {
      name: 'InvalidFilterError',
    });
    assert.doesNotThrow(() => parseFilterString(`${'('.repeat(50)}a = 1${')'.repeat(50)}`));
  });
});
