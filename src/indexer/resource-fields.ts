/**
 * The fields a resource search may name, as SQL: the generic columns, the attributes of the type
 * searched, and Gnocchi's computed fields (`created_by_user_id`, `created_by_project_id`,
 * `lifespan`); and a search filter compiled into a SQL condition over them, with each value
 * converted to the field's kind (a UUID canonicalised, a timestamp into microseconds) or refused.
 */
import { sql, type RawBuilder } from 'kysely';

import {
  normalizeUuid,
  parseTimestamp,
  parseTimespan,
  parseTruthValue,
  type FilterScalar,
  type ResourceFilter,
} from '../grammar/index.ts';
import type { AttributeSpec, ResourceType } from '../resource/index.ts';
import { InvalidResourceFieldError } from './errors.ts';
import type { AttributeKind, SqlDialect } from './sql-dialect.ts';

/** How a field's values are read from a filter. */
type ValueKind = 'text' | 'uuid' | 'time' | 'number' | 'bool' | 'timespan';

/** A field as SQL. */
export interface ResourceField {
  readonly expression: RawBuilder<unknown>;
  readonly kind: ValueKind;
  /** Only `=`, `!=` and `like` (Gnocchi's rule for the creator's parts). */
  readonly creatorPart?: 'user' | 'project';
}

const GENERIC_COLUMNS: Readonly<Record<string, ValueKind>> = {
  id: 'uuid',
  type: 'text',
  original_resource_id: 'text',
  creator: 'text',
  user_id: 'text',
  project_id: 'text',
  started_at: 'time',
  ended_at: 'time',
  revision_start: 'time',
  revision_end: 'time',
};

const ATTRIBUTE_KINDS: Readonly<
  Record<AttributeSpec['type'], readonly [ValueKind, AttributeKind]>
> = {
  string: ['text', 'text'],
  uuid: ['uuid', 'text'],
  number: ['number', 'number'],
  bool: ['bool', 'bool'],
  datetime: ['time', 'number'],
};

/** The fields of `type` (`undefined`: generic only), by name. */
export function resourceFields(
  dialect: SqlDialect,
  type: ResourceType | undefined,
  history: boolean,
): ReadonlyMap<string, ResourceField> {
  const fields = new Map<string, ResourceField>();
  for (const [name, kind] of Object.entries(GENERIC_COLUMNS)) {
    // NOTE: without history there is no revision end: every row is current.
    const expression = name === 'revision_end' && !history ? sql`null` : sql.ref(`r.${name}`);
    fields.set(name, { expression, kind });
  }
  fields.set('created_by_user_id', {
    expression: sql.ref('r.creator'),
    kind: 'text',
    creatorPart: 'user',
  });
  fields.set('created_by_project_id', {
    expression: sql.ref('r.creator'),
    kind: 'text',
    creatorPart: 'project',
  });
  fields.set('lifespan', { expression: sql`(r.ended_at - r.started_at)`, kind: 'timespan' });
  for (const [name, spec] of Object.entries(type?.attributes ?? {})) {
    const [kind, attributeKind] = ATTRIBUTE_KINDS[spec.type];
    fields.set(name, { expression: dialect.attributeExpression(name, attributeKind), kind });
  }
  return fields;
}

/** The kind of SQL expression an attribute's index is built on. */
export function attributeKindOf(specType: AttributeSpec['type']): AttributeKind {
  return ATTRIBUTE_KINDS[specType][1];
}

/** Compiles a filter into a SQL condition; throws `InvalidResourceFieldError`. */
export function compileFilter(
  filter: ResourceFilter,
  fields: ReadonlyMap<string, ResourceField>,
  context: { readonly typeName: string; readonly dialect: SqlDialect; readonly now: number },
): RawBuilder<unknown> {
  const field = (name: string): ResourceField => {
    const found = fields.get(name);
    if (found === undefined) {
      throw new InvalidResourceFieldError(
        `Resource type ${context.typeName} has no ${name} attribute`,
        name,
      );
    }
    return found;
  };
  const value = (name: string, kind: ValueKind, raw: FilterScalar): unknown =>
    convertValue(name, kind, raw, context);
  switch (filter.kind) {
    case 'all':
      return sql`1 = 1`;
    case 'and':
    case 'or': {
      const parts = filter.children.map((child) => compileFilter(child, fields, context));
      return sql`(${sql.join(parts, sql.raw(filter.kind === 'and' ? ' and ' : ' or '))})`;
    }
    case 'not':
      // NOTE: a NULL comparison is neither true nor false; `not` of it must still be true.
      return sql`(not coalesce(${compileFilter(filter.child, fields, context)}, false))`;
    case 'like': {
      const target = field(filter.field);
      const pattern = filter.pattern;
      if (typeof pattern !== 'string') throw invalidValue(filter.field, pattern);
      if (target.creatorPart !== undefined) return creatorLike(target.creatorPart, pattern);
      return sql`(${target.expression} like ${pattern})`;
    }
    case 'in': {
      const target = field(filter.field);
      if (target.creatorPart !== undefined) throw onlyCreatorOperators(filter.field);
      const values = filter.values.map((raw) => value(filter.field, target.kind, raw));
      const present = values.filter((item) => item !== null);
      const parts = [
        ...(present.length === 0 ? [] : [sql`${target.expression} in (${sql.join(present)})`]),
        ...(present.length < values.length ? [sql`${target.expression} is null`] : []),
      ];
      return sql`(${sql.join(parts, sql.raw(' or '))})`;
    }
    case 'compare': {
      const target = field(filter.field);
      if (target.creatorPart !== undefined) {
        if (filter.op !== '=' && filter.op !== '!=') throw onlyCreatorOperators(filter.field);
        if (typeof filter.value !== 'string') throw invalidValue(filter.field, filter.value);
        const match = creatorEquals(target.creatorPart, filter.value);
        return filter.op === '=' ? match : sql`(not ${match})`;
      }
      const operand = value(filter.field, target.kind, filter.value);
      const expression = target.expression;
      if (operand === null) {
        if (filter.op === '=') return sql`(${expression} is null)`;
        if (filter.op === '!=') return sql`(${expression} is not null)`;
        return sql`(1 = 0)`;
      }
      if (filter.op === '!=') {
        return sql`(${expression} is null or ${expression} <> ${operand})`;
      }
      return sql`(${expression} ${sql.raw(filter.op)} ${operand})`;
    }
  }
}

function convertValue(
  field: string,
  kind: ValueKind,
  raw: FilterScalar,
  context: { readonly dialect: SqlDialect; readonly now: number },
): unknown {
  if (raw === null) return null;
  switch (kind) {
    case 'text':
      return typeof raw === 'string' ? raw : String(raw);
    case 'uuid': {
      const uuid = typeof raw === 'string' ? normalizeUuid(raw) : undefined;
      if (uuid === undefined) throw invalidValue(field, raw);
      return uuid;
    }
    case 'time': {
      const micros = typeof raw === 'boolean' ? undefined : parseTimestamp(raw, context.now);
      if (micros === undefined) throw invalidValue(field, raw);
      return micros;
    }
    case 'number': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      if (!Number.isFinite(number) || (typeof raw === 'string' && raw.trim() === '')) {
        throw invalidValue(field, raw);
      }
      return number;
    }
    case 'bool': {
      const truth =
        typeof raw === 'boolean' ? raw : typeof raw === 'string' ? parseTruthValue(raw) : undefined;
      if (truth === undefined) throw invalidValue(field, raw);
      return context.dialect.booleanParameter(truth);
    }
    case 'timespan': {
      try {
        return typeof raw === 'boolean' ? NaN : parseTimespan(raw);
      } catch {
        throw invalidValue(field, raw);
      }
    }
  }
}

/** `created_by_user_id = u`: the creator is `u`, or `u:<project>`. */
function creatorEquals(part: 'user' | 'project', value: string): RawBuilder<unknown> {
  const escaped = escapeLike(value);
  return part === 'user'
    ? sql`(r.creator = ${value} or r.creator like ${`${escaped}:%`} escape '\\')`
    : sql`(r.creator like ${`%:${escaped}`} escape '\\')`;
}

function creatorLike(part: 'user' | 'project', pattern: string): RawBuilder<unknown> {
  return part === 'user'
    ? sql`(r.creator like ${pattern} or r.creator like ${`${pattern}:%`})`
    : sql`(r.creator like ${`%:${pattern}`})`;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function invalidValue(field: string, value: FilterScalar): InvalidResourceFieldError {
  return new InvalidResourceFieldError(
    `Invalid value: \`${String(value)}' for field \`${field}'`,
    field,
  );
}

function onlyCreatorOperators(field: string): InvalidResourceFieldError {
  return new InvalidResourceFieldError(
    `Invalid value: only =, != and like may be used on field \`${field}'`,
    field,
  );
}
