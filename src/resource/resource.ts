/**
 * Resources: the generic columns every resource has, the attributes of its type, and the metrics
 * attached to it by name. A resource changes by revisions: each change that alters a value keeps
 * the previous state as a history row whose `revisionEnd` is the change's time.
 *
 * Times are integer microseconds since the epoch; attribute values are stored as
 * `attribute-spec.ts` makes them.
 */
import { parseTimestamp, pythonIsoformat, type DocumentPath } from '../grammar/index.ts';
import { storeAttributeValue, type StoredAttributeValue } from './attribute-spec.ts';
import { InvalidResourceInputError } from './errors.ts';
import type { ResourceType } from './resource-type.ts';

/** The longest `user_id`, `project_id` (Gnocchi's columns). */
export const MAX_OWNER_ID_LENGTH = 255;

/** A resource, in its current state or as one of its past revisions. */
export interface Resource {
  /** Lowercase dashed UUID (an external id transformed, see `grammar/resource-id.ts`). */
  readonly id: string;
  readonly type: string;
  /** The id as the client gave it. */
  readonly originalResourceId: string;
  /** `user` or `user:project`, as Gnocchi's creator string. */
  readonly creator: string;
  readonly userId: string | null;
  readonly projectId: string | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly revisionStart: number;
  /** Null for the current state. */
  readonly revisionEnd: number | null;
  /** `-1` for the current state, else the history row's number (markers say `<id>@<revision>`). */
  readonly revision: number;
  /** The type's attributes (none for `generic`, or when a listing leaves them out). */
  readonly attributes: Readonly<Record<string, StoredAttributeValue>>;
  /** Active metrics attached, name → id (the current ones, on history rows too). */
  readonly metrics: Readonly<Record<string, string>>;
}

/** A metric to attach under a name: an existing one by id, or a new one. */
export type MetricAttachment =
  | { readonly kind: 'existing'; readonly id: string }
  | {
      readonly kind: 'new';
      readonly id: string;
      readonly archivePolicyName: string;
      readonly unit: string | null;
    };

/** A client's metric definition under a name, before its policy is chosen. */
export type MetricRequest =
  string | { readonly archivePolicyName?: string; readonly unit?: string };

/** What creating a resource needs. */
export interface NewResource {
  readonly id: string;
  readonly type: string;
  readonly originalResourceId: string;
  readonly creator: string;
  readonly userId: string | null;
  readonly projectId: string | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly attributes: Readonly<Record<string, StoredAttributeValue>>;
  readonly metrics: Readonly<Record<string, MetricAttachment>>;
}

/** What a change of a resource sets; absent fields stay. */
export interface ResourceChanges {
  readonly userId?: string | null;
  readonly projectId?: string | null;
  readonly startedAt?: number;
  readonly endedAt?: number | null;
  readonly attributes?: Readonly<Record<string, StoredAttributeValue>>;
  /** Replaces the set of attached metrics (no revision). */
  readonly metrics?: Readonly<Record<string, MetricAttachment>>;
}

/** A client's resource body, read against its type. */
export interface ResourceInput {
  readonly id?: string;
  readonly userId?: string | null;
  readonly projectId?: string | null;
  readonly startedAt?: number;
  readonly endedAt?: number | null;
  readonly attributes: Readonly<Record<string, StoredAttributeValue>>;
  readonly metrics?: Readonly<Record<string, MetricRequest>>;
}

/**
 * Reads a client's `POST` (`creating`: `id` and the required attributes must be there) or `PATCH`
 * body for a resource of `type`; throws `InvalidResourceInputError` in voluptuous's words.
 */
export function parseResourceInput(
  type: ResourceType,
  input: unknown,
  options: { readonly creating: boolean; readonly now: number },
): ResourceInput {
  const fields = expectObject(input, []);
  const { creating, now } = options;
  const attributes: Record<string, StoredAttributeValue> = {};
  const result: {
    -readonly [K in keyof ResourceInput]: ResourceInput[K];
  } = { attributes };
  for (const [key, value] of Object.entries(fields)) {
    const spec = type.attributes[key];
    if (spec !== undefined) {
      attributes[key] = storeAttributeValue(spec, value, [key], now);
      continue;
    }
    switch (key) {
      case 'id':
        if (!creating) throw new InvalidResourceInputError('extra keys not allowed', [key]);
        if (typeof value !== 'string') throw new InvalidResourceInputError('expected str', [key]);
        result.id = value;
        break;
      case 'user_id':
        result.userId = ownerId(value, [key]);
        break;
      case 'project_id':
        result.projectId = ownerId(value, [key]);
        break;
      case 'started_at':
        result.startedAt = timestamp(value, [key], now);
        break;
      case 'ended_at':
        result.endedAt = value === null ? null : timestamp(value, [key], now);
        break;
      case 'metrics':
        result.metrics = parseMetricRequests(value, [key]);
        break;
      default:
        throw new InvalidResourceInputError('extra keys not allowed', [key]);
    }
  }
  if (creating) {
    if (result.id === undefined)
      throw new InvalidResourceInputError('required key not provided', ['id']);
    for (const [name, spec] of Object.entries(type.attributes)) {
      if (name in attributes) continue;
      if (spec.required) throw new InvalidResourceInputError('required key not provided', [name]);
      attributes[name] = null;
    }
    const { startedAt, endedAt } = result;
    if (
      startedAt !== undefined &&
      endedAt !== undefined &&
      endedAt !== null &&
      startedAt > endedAt
    ) {
      throw new InvalidResourceInputError('Start timestamp cannot be after end timestamp');
    }
  }
  return result;
}

/** Reads `{name: uuid | {archive_policy_name?, unit?}}`. */
export function parseMetricRequests(
  value: unknown,
  path: DocumentPath,
): Record<string, MetricRequest> {
  const entries = expectObject(value, path);
  const requests: Record<string, MetricRequest> = {};
  for (const [name, request] of Object.entries(entries)) {
    const at = [...path, name];
    if (typeof request === 'string') {
      requests[name] = request;
      continue;
    }
    const fields = expectObject(request, at);
    const definition: { archivePolicyName?: string; unit?: string } = {};
    for (const [key, field] of Object.entries(fields)) {
      if (key === 'archive_policy_name' && typeof field === 'string')
        definition.archivePolicyName = field;
      else if (key === 'unit' && typeof field === 'string') definition.unit = field;
      else if (key === 'archive_policy_name' || key === 'unit') {
        throw new InvalidResourceInputError('expected str', [...at, key]);
      } else throw new InvalidResourceInputError('extra keys not allowed', [...at, key]);
    }
    requests[name] = definition;
  }
  return requests;
}

/**
 * The state after a change, and whether any revisioned value changed (a change of only the
 * metrics makes no revision, as in Gnocchi). Throws `InvalidResourceInputError` when the end
 * would come before the start.
 */
export function applyResourceChanges(
  current: Resource,
  changes: ResourceChanges,
): { readonly next: Resource; readonly changed: boolean } {
  const attributes = { ...current.attributes, ...changes.attributes };
  const next: Resource = {
    ...current,
    userId: changes.userId === undefined ? current.userId : changes.userId,
    projectId: changes.projectId === undefined ? current.projectId : changes.projectId,
    startedAt: changes.startedAt ?? current.startedAt,
    endedAt: changes.endedAt === undefined ? current.endedAt : changes.endedAt,
    attributes,
  };
  if (next.endedAt !== null && next.endedAt < next.startedAt) {
    throw new InvalidResourceInputError(
      `Value ${pythonIsoformat(next.endedAt)} for attribute ended_at on resource type ${current.type} is invalid`,
    );
  }
  const changed =
    next.userId !== current.userId ||
    next.projectId !== current.projectId ||
    next.startedAt !== current.startedAt ||
    next.endedAt !== current.endedAt ||
    Object.keys(attributes).some((name) => attributes[name] !== current.attributes[name]);
  return { next, changed };
}

function ownerId(value: unknown, path: DocumentPath): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new InvalidResourceInputError('expected str', path);
  if (Array.from(value).length > MAX_OWNER_ID_LENGTH) {
    throw new InvalidResourceInputError(
      `length of value must be at most ${MAX_OWNER_ID_LENGTH}`,
      path,
    );
  }
  return value;
}

function timestamp(value: unknown, path: DocumentPath, now: number): number {
  const micros =
    typeof value === 'string' || typeof value === 'number' ? parseTimestamp(value, now) : undefined;
  if (micros === undefined) throw new InvalidResourceInputError('not a valid value', path);
  return micros;
}

function expectObject(value: unknown, path: DocumentPath): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidResourceInputError('expected a dictionary', path);
  }
  return value as Record<string, unknown>;
}
