/**
 * Fastify's validator compiler for the API's TypeBox schemas: compiled once per route, no type
 * coercion and no silent removal of extra keys (Gnocchi refuses both), and failures reported as an
 * {@link InvalidInputError} worded as voluptuous would word the first error it meets.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { FastifySchemaCompiler } from 'fastify';

import type { InputPath } from '../../archive-policy/index.ts';
import { InvalidInputError, type RequestPart } from './request-errors.ts';

const TYPE_MESSAGES: Partial<Readonly<Record<ValueErrorType, string>>> = {
  [ValueErrorType.ObjectAdditionalProperties]: 'extra keys not allowed',
  [ValueErrorType.ObjectRequiredProperty]: 'required key not provided',
  [ValueErrorType.String]: 'expected str',
  [ValueErrorType.Array]: 'expected a list',
  [ValueErrorType.Object]: 'expected a dictionary',
  [ValueErrorType.Integer]: 'expected int',
  [ValueErrorType.Number]: 'expected float',
  [ValueErrorType.Boolean]: 'expected bool',
  [ValueErrorType.Null]: 'expected None',
  [ValueErrorType.Literal]: 'not a valid value',
};

/** Errors about the type of a value rather than about a constraint on a value of the right type. */
const TYPE_ERRORS: ReadonlySet<ValueErrorType> = new Set([
  ValueErrorType.String,
  ValueErrorType.Array,
  ValueErrorType.Object,
  ValueErrorType.Integer,
  ValueErrorType.Number,
  ValueErrorType.Boolean,
  ValueErrorType.Null,
  ValueErrorType.Literal,
  ValueErrorType.Union,
]);

/** Compiles a route's TypeBox schema for one request part. */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const part = (httpPart ?? 'body') as RequestPart;
  return (value: unknown) => {
    if (check.Check(value)) return { value };
    const first = pickError([...check.Errors(value)], value);
    return { error: toInvalidInput(part, first, value) };
  };
};

/**
 * The error voluptuous would report first: it walks the input's keys in order, so errors about
 * keys that are present come in that order, and missing required keys come last.
 */
function pickError(errors: readonly ValueError[], value: unknown): ValueError | undefined {
  const keys = isRecord(value) ? Object.keys(value) : [];
  const isMissing = (error: ValueError) => error.type === ValueErrorType.ObjectRequiredProperty;
  // NOTE: TypeBox also reports the type of a missing property (undefined); only its absence counts.
  const missing = new Set(errors.filter(isMissing).map((error) => error.path));
  const rank = (error: ValueError): number => {
    if (isMissing(error)) return Number.MAX_SAFE_INTEGER;
    const index = keys.indexOf(decodePointer(error.path)[0] ?? '');
    return index === -1 ? keys.length : index;
  };
  return errors
    .filter((error) => isMissing(error) || !missing.has(error.path))
    .sort((a, b) => rank(a) - rank(b))[0];
}

function toInvalidInput(
  part: RequestPart,
  error: ValueError | undefined,
  value: unknown,
): InvalidInputError {
  if (error === undefined) return new InvalidInputError(part, 'not a valid value', []);
  const chosen = error.type === ValueErrorType.Union ? pickUnionVariant(error) : error;
  return new InvalidInputError(part, describe(chosen), toInputPath(chosen.path, value));
}

/**
 * For a value matching none of a union's variants, the most telling variant error: one about a
 * constraint (the value had the right type but, say, was too small), else the first variant's.
 */
function pickUnionVariant(error: ValueError): ValueError {
  const firsts = error.errors.map((variant) => variant.First()).filter((e) => e !== undefined);
  return firsts.find((e) => !TYPE_ERRORS.has(e.type)) ?? firsts[0] ?? error;
}

function describe(error: ValueError): string {
  const schema = error.schema as Readonly<Record<string, unknown>>;
  switch (error.type) {
    case ValueErrorType.StringMaxLength:
      return `length of value must be at most ${String(schema.maxLength)}`;
    case ValueErrorType.StringMinLength:
      return `length of value must be at least ${String(schema.minLength)}`;
    case ValueErrorType.ArrayMaxItems:
      return `length of value must be at most ${String(schema.maxItems)}`;
    case ValueErrorType.ArrayMinItems:
      return `length of value must be at least ${String(schema.minItems)}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `value must be at least ${String(schema.minimum)}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `value must be at most ${String(schema.maximum)}`;
    default:
      return TYPE_MESSAGES[error.type] ?? 'not a valid value';
  }
}

/** A JSON pointer as path components; components inside arrays become numbers. */
function toInputPath(pointer: string, value: unknown): InputPath {
  const path: (string | number)[] = [];
  let current: unknown = value;
  for (const key of decodePointer(pointer)) {
    if (Array.isArray(current)) {
      path.push(Number(key));
      current = (current as unknown[])[Number(key)];
    } else {
      path.push(key);
      current = isRecord(current) ? current[key] : undefined;
    }
  }
  return path;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
