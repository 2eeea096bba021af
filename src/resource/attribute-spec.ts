/**
 * The typed attributes of a resource type, as Gnocchi HEAD defines them (`resource_type.py`):
 * `string` (min/max length), `uuid`, `number` (min/max), `bool` and `datetime`, each `required`
 * or not. A spec checks a client's value and turns it into what is stored: a canonical UUID,
 * integer microseconds for a datetime, the value itself otherwise, so that SQL compares them
 * correctly; and it renders a stored value back as Gnocchi shows it.
 */
import {
  normalizeUuid,
  parseTimestamp,
  pythonIsoformat,
  type DocumentPath,
} from '../grammar/index.ts';
import { InvalidResourceInputError } from './errors.ts';

/** The attribute types. */
export const ATTRIBUTE_TYPES = ['string', 'uuid', 'number', 'bool', 'datetime'] as const;

/** One attribute type. */
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** The longest string attribute, and the default `max_length` (Gnocchi HEAD). */
export const MAX_STRING_LENGTH = 256;

/** The longest attribute name. */
export const MAX_ATTRIBUTE_NAME_LENGTH = 63;

/**
 * Names an attribute may not take: the resource's own columns. Gnocchi checks names by a prefix
 * match only (`new-optional-bool` passes); Orzo also allows `-` after the first character but
 * nothing else, since names are keys of stored JSON and parts of index names.
 */
export const RESERVED_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'id',
  'type',
  'metrics',
  'revision',
  'revision_start',
  'revision_end',
  'started_at',
  'ended_at',
  'user_id',
  'project_id',
  'created_by_user_id',
  'created_by_project_id',
  'get_metric',
  'creator',
]);

const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

/** An attribute of a resource type. */
export type AttributeSpec =
  | {
      readonly type: 'string';
      readonly required: boolean;
      readonly minLength: number;
      readonly maxLength: number;
    }
  | {
      readonly type: 'number';
      readonly required: boolean;
      readonly min: number | null;
      readonly max: number | null;
    }
  | { readonly type: 'uuid' | 'bool' | 'datetime'; readonly required: boolean };

/** A value as stored: JSON scalars only (datetimes as microseconds). */
export type StoredAttributeValue = string | number | boolean | null;

/** A parsed attribute definition, and the value to give existing resources (type updates). */
export interface ParsedAttribute {
  readonly spec: AttributeSpec;
  readonly fill?: StoredAttributeValue;
}

/** Checks an attribute's name; throws `InvalidResourceInputError` in Gnocchi's words. */
export function checkAttributeName(name: string): void {
  if (
    name.length > MAX_ATTRIBUTE_NAME_LENGTH ||
    RESERVED_ATTRIBUTE_NAMES.has(name) ||
    !VALID_NAME.test(name)
  ) {
    throw new InvalidResourceInputError(
      `Invalid input: Resource attribute name ${name} is invalid`,
    );
  }
}

/**
 * Reads one attribute definition of a client's resource type; with `forUpdate`, also its
 * `options.fill`, which a required attribute added to a type in use must have.
 */
export function parseAttributeSpec(
  name: string,
  input: unknown,
  path: DocumentPath,
  forUpdate = false,
): ParsedAttribute {
  checkAttributeName(name);
  const fields = expectObject(input, path);
  const allowed = new Set(['type', 'required', ...(forUpdate ? ['options'] : [])]);
  const type = fields.type;
  if (type === undefined)
    throw new InvalidResourceInputError('required key not provided', [...path, 'type']);
  if (typeof type !== 'string' || !(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
    throw new InvalidResourceInputError('not a valid value', [...path, 'type']);
  }
  const required = fields.required ?? true;
  if (typeof required !== 'boolean') {
    throw new InvalidResourceInputError('expected bool', [...path, 'required']);
  }
  let spec: AttributeSpec;
  if (type === 'string') {
    allowed.add('min_length').add('max_length');
    const minLength = integerIn(fields.min_length ?? 0, 0, MAX_STRING_LENGTH, [
      ...path,
      'min_length',
    ]);
    const maxLength = integerIn(fields.max_length ?? MAX_STRING_LENGTH, 1, MAX_STRING_LENGTH, [
      ...path,
      'max_length',
    ]);
    checkRange(minLength, maxLength);
    spec = { type, required, minLength, maxLength };
  } else if (type === 'number') {
    allowed.add('min').add('max');
    const min = optionalReal(fields.min, [...path, 'min']);
    const max = optionalReal(fields.max, [...path, 'max']);
    if (min !== null && max !== null) checkRange(min, max);
    spec = { type, required, min, max };
  } else {
    spec = { type: type as 'uuid' | 'bool' | 'datetime', required };
  }
  for (const key of Object.keys(fields)) {
    if (!allowed.has(key))
      throw new InvalidResourceInputError('extra keys not allowed', [...path, key]);
  }
  if (!forUpdate) return { spec };
  const options =
    fields.options === undefined ? {} : expectObject(fields.options, [...path, 'options']);
  for (const key of Object.keys(options)) {
    if (key !== 'fill')
      throw new InvalidResourceInputError('extra keys not allowed', [...path, 'options', key]);
  }
  const fill = options.fill;
  if (fill === undefined || fill === null) {
    if (required) {
      throw new InvalidResourceInputError(
        `Invalid input: Option 'fill' of resource attribute ${name} is invalid: must not be empty if required=True`,
      );
    }
    return { spec };
  }
  try {
    return { spec, fill: storeAttributeValue(spec, fill, [], 0) };
  } catch (error) {
    const reason = error instanceof InvalidResourceInputError ? error.message : String(error);
    throw new InvalidResourceInputError(
      `Invalid input: Option 'fill' of resource attribute ${name} is invalid: ${reason}`,
    );
  }
}

/** The spec as Gnocchi shows it in a resource type's JSON. */
export function attributeSpecJson(spec: AttributeSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'string':
      return {
        type: spec.type,
        required: spec.required,
        min_length: spec.minLength,
        max_length: spec.maxLength,
      };
    case 'number':
      return { type: spec.type, required: spec.required, min: spec.min, max: spec.max };
    default:
      return { type: spec.type, required: spec.required };
  }
}

/**
 * What a client's value of an attribute is stored as; throws `InvalidResourceInputError` with
 * voluptuous's words at `path`. `now` (microseconds) anchors relative datetimes.
 */
export function storeAttributeValue(
  spec: AttributeSpec,
  value: unknown,
  path: DocumentPath,
  now: number,
): StoredAttributeValue {
  if (value === null && !spec.required) return null;
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') throw new InvalidResourceInputError('expected str', path);
      const length = Array.from(value).length;
      if (length < spec.minLength) {
        throw new InvalidResourceInputError(
          `length of value must be at least ${spec.minLength}`,
          path,
        );
      }
      if (length > spec.maxLength) {
        throw new InvalidResourceInputError(
          `length of value must be at most ${spec.maxLength}`,
          path,
        );
      }
      return value;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidResourceInputError('expected Real', path);
      }
      if (spec.min !== null && value < spec.min) {
        throw new InvalidResourceInputError(`value must be at least ${spec.min}`, path);
      }
      if (spec.max !== null && value > spec.max) {
        throw new InvalidResourceInputError(`value must be at most ${spec.max}`, path);
      }
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw new InvalidResourceInputError('expected bool', path);
      return value;
    case 'uuid': {
      const uuid = typeof value === 'string' ? normalizeUuid(value) : undefined;
      if (uuid === undefined) throw new InvalidResourceInputError('not a valid value', path);
      return uuid;
    }
    case 'datetime': {
      const micros =
        typeof value === 'string' || typeof value === 'number'
          ? parseTimestamp(value, now)
          : undefined;
      if (micros === undefined) throw new InvalidResourceInputError('not a valid value', path);
      return micros;
    }
  }
}

/** A stored value as Gnocchi renders it. */
export function renderAttributeValue(spec: AttributeSpec, value: StoredAttributeValue): unknown {
  if (value === null) return null;
  if (spec.type === 'datetime' && typeof value === 'number') return pythonIsoformat(value);
  return value;
}

function expectObject(value: unknown, path: DocumentPath): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidResourceInputError('expected a dictionary', path);
  }
  return value as Record<string, unknown>;
}

function integerIn(value: unknown, min: number, max: number, path: DocumentPath): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidResourceInputError('expected int', path);
  }
  if (value < min) throw new InvalidResourceInputError(`value must be at least ${min}`, path);
  if (value > max) throw new InvalidResourceInputError(`value must be at most ${max}`, path);
  return value;
}

function optionalReal(value: unknown, path: DocumentPath): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidResourceInputError('expected Real', path);
  }
  return value;
}

function checkRange(min: number, max: number): void {
  if (min > max) {
    throw new InvalidResourceInputError(
      `Invalid input: Resource attribute value min (or min_length) ${min} must be less  than or equal to max (or max_length) ${max}!`,
    );
  }
}
