/**
 * Resource types: a name and typed attributes. `generic` always exists, has no attributes of its
 * own, and every type extends it with the generic columns. Types are created, changed by JSON
 * Patch (attributes added and removed) and deleted synchronously, so their state is `active`
 * whenever a client can see them; the other states of Gnocchi are kept for its clients.
 */
import type { DocumentPath } from '../grammar/index.ts';
import {
  attributeSpecJson,
  parseAttributeSpec,
  type AttributeSpec,
  type StoredAttributeValue,
} from './attribute-spec.ts';
import {
  InvalidResourceInputError,
  InvalidResourceTypeChangeError,
  ResourceTypePatchError,
} from './errors.ts';

/** Gnocchi's resource type states. */
export const RESOURCE_TYPE_STATES = [
  'active',
  'creating',
  'creation_error',
  'deleting',
  'deletion_error',
  'updating',
  'updating_error',
] as const;

/** One resource type state. */
export type ResourceTypeState = (typeof RESOURCE_TYPE_STATES)[number];

/** The type every resource is of, at least. */
export const GENERIC_TYPE = 'generic';

/** The longest type name (the width of Gnocchi's column). */
export const MAX_TYPE_NAME_LENGTH = 255;

const VALID_TYPE_NAME = /^[A-Za-z0-9_-]+$/;

/** A resource type. */
export interface ResourceType {
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
  readonly state: ResourceTypeState;
}

/** What a type change does to the resources of the type, besides the new definition. */
export interface ResourceTypeChange {
  readonly type: ResourceType;
  /** Attributes gone: their values are removed from every resource and revision. */
  readonly removed: readonly string[];
  /** Attributes new or changed, with the value given to resources that have none. */
  readonly filled: Readonly<Record<string, StoredAttributeValue>>;
}

/** `generic`, as it always exists. */
export const GENERIC_RESOURCE_TYPE: ResourceType = Object.freeze({
  name: GENERIC_TYPE,
  attributes: Object.freeze({}),
  state: 'active',
});

/** Reads a client's `POST /v1/resource_type` body; throws `InvalidResourceInputError`. */
export function parseResourceTypeInput(input: unknown): ResourceType {
  const fields = expectObject(input, []);
  for (const key of Object.keys(fields)) {
    if (key !== 'name' && key !== 'attributes') {
      throw new InvalidResourceInputError('extra keys not allowed', [key]);
    }
  }
  const name = fields.name;
  if (name === undefined)
    throw new InvalidResourceInputError('required key not provided', ['name']);
  if (typeof name !== 'string') throw new InvalidResourceInputError('expected str', ['name']);
  if (name.length === 0 || name.length > MAX_TYPE_NAME_LENGTH || !VALID_TYPE_NAME.test(name)) {
    throw new InvalidResourceInputError('not a valid value', ['name']);
  }
  const attributesInput =
    fields.attributes === undefined ? {} : expectObject(fields.attributes, ['attributes']);
  const attributes: Record<string, AttributeSpec> = {};
  for (const [attribute, spec] of Object.entries(attributesInput)) {
    attributes[attribute] = parseAttributeSpec(attribute, spec, ['attributes', attribute]).spec;
  }
  return Object.freeze({ name, attributes: Object.freeze(attributes), state: 'active' });
}

/** A type's JSON. */
export interface ResourceTypeJson {
  readonly name: string;
  readonly attributes: Record<string, Record<string, unknown>>;
  readonly state: string;
}

/** A type as Gnocchi shows it. */
export function resourceTypeJson(type: ResourceType): ResourceTypeJson {
  const attributes: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(type.attributes)) {
    attributes[name] = attributeSpecJson(spec);
  }
  return { name: type.name, attributes, state: type.state };
}

/**
 * Applies a client's JSON Patch (RFC 6902 `add` and `remove` under `/attributes`) to a type.
 * Throws `InvalidResourceInputError` for a malformed patch, `ResourceTypePatchError` for one
 * that does not apply, `InvalidResourceTypeChangeError` for a change Gnocchi refuses.
 */
export function applyResourceTypePatch(current: ResourceType, patch: unknown): ResourceTypeChange {
  if (!Array.isArray(patch)) throw new InvalidResourceInputError('expected a list');
  const raw = new Map<string, unknown>();
  for (const [name, spec] of Object.entries(current.attributes))
    raw.set(name, attributeSpecJson(spec));
  // NOTE: an attribute the patch did not touch still holds the very object put here.
  const untouched = new Map(raw);
  patch.forEach((operation, index) => {
    applyOperation(raw, operation, [index]);
  });
  const attributes: Record<string, AttributeSpec> = {};
  const filled: Record<string, StoredAttributeValue> = {};
  for (const [name, input] of raw) {
    const before = current.attributes[name];
    if (before !== undefined && input === untouched.get(name)) {
      attributes[name] = before;
      continue;
    }
    const parsed = parseAttributeSpec(name, input, ['attributes', name], true);
    if (before !== undefined && before.type !== parsed.spec.type) {
      throw new InvalidResourceTypeChangeError(
        `Type update is not available yet. Changing ${before.type} to ${parsed.spec.type} for attribute ${name} of resource ${current.name}`,
      );
    }
    attributes[name] = parsed.spec;
    if (parsed.fill !== undefined) filled[name] = parsed.fill;
  }
  const removed = Object.keys(current.attributes).filter((name) => !(name in attributes));
  return {
    type: Object.freeze({
      name: current.name,
      attributes: Object.freeze(attributes),
      state: 'active',
    }),
    removed,
    filled,
  };
}

function applyOperation(
  attributes: Map<string, unknown>,
  operation: unknown,
  path: DocumentPath,
): void {
  const fields = expectObject(operation, path);
  for (const key of Object.keys(fields)) {
    if (key !== 'op' && key !== 'path' && key !== 'value') {
      throw new InvalidResourceInputError('extra keys not allowed', [...path, key]);
    }
  }
  const { op, path: pointer } = fields;
  if (op !== 'add' && op !== 'remove')
    throw new InvalidResourceInputError('not a valid value', [...path, 'op']);
  if (typeof pointer !== 'string')
    throw new InvalidResourceInputError('expected str', [...path, 'path']);
  const match = /^\/attributes\/([^/]+)$/.exec(pointer);
  if (match === null) {
    throw new InvalidResourceInputError('does not match regular expression', [...path, 'path']);
  }
  const name = (match[1] ?? '').replaceAll('~1', '/').replaceAll('~0', '~');
  if (op === 'remove') {
    if (!attributes.has(name))
      throw new ResourceTypePatchError(`can't remove a non-existent object '${name}'`);
    attributes.delete(name);
    return;
  }
  if (!('value' in fields))
    throw new ResourceTypePatchError("The operation does not contain a 'value' member");
  attributes.set(name, fields.value);
}

function expectObject(value: unknown, path: DocumentPath): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidResourceInputError('expected a dictionary', path);
  }
  return value as Record<string, unknown>;
}
