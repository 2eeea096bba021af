/**
 * Resources as Gnocchi shows them: the generic columns (dates as Python's isoformat), the
 * creator split into `created_by_user_id` and `created_by_project_id`, the attached metrics by
 * name, and the attributes of the resource's type at top level; plus the validators of a single
 * resource (`ETag`, `Last-Modified`) that the conditional headers are checked against.
 */
import { createHash } from 'node:crypto';

import { pythonIsoformat } from '../../grammar/index.ts';
import { renderAttributeValue, type Resource, type ResourceType } from '../../resource/index.ts';

/** A resource's JSON. */
export type ResourceJson = Record<string, unknown>;

/** `user:project` split at its first colon (the project is `""` when there is none). */
export function creatorParts(creator: string): {
  created_by_user_id: string;
  created_by_project_id: string;
} {
  const colon = creator.indexOf(':');
  return colon === -1
    ? { created_by_user_id: creator, created_by_project_id: '' }
    : {
        created_by_user_id: creator.slice(0, colon),
        created_by_project_id: creator.slice(colon + 1),
      };
}

/**
 * The JSON of a resource, with the attributes of `type` (undefined: the generic columns only),
 * restricted to `attrs` when given (unknown names are ignored, as in Gnocchi).
 */
export function resourceToJson(
  resource: Resource,
  type: ResourceType | undefined,
  attrs?: readonly string[],
): ResourceJson {
  const json: ResourceJson = {
    id: resource.id,
    type: resource.type,
    creator: resource.creator,
    ...creatorParts(resource.creator),
    started_at: pythonIsoformat(resource.startedAt),
    revision_start: pythonIsoformat(resource.revisionStart),
    ended_at: resource.endedAt === null ? null : pythonIsoformat(resource.endedAt),
    revision_end: resource.revisionEnd === null ? null : pythonIsoformat(resource.revisionEnd),
    user_id: resource.userId,
    project_id: resource.projectId,
    original_resource_id: resource.originalResourceId,
    metrics: resource.metrics,
  };
  for (const [name, spec] of Object.entries(type?.attributes ?? {})) {
    json[name] = renderAttributeValue(spec, resource.attributes[name] ?? null);
  }
  if (attrs === undefined || attrs.length === 0) return json;
  return Object.fromEntries(Object.entries(json).filter(([key]) => attrs.includes(key)));
}

/** The resource as a policy target: its JSON, flattened as Gnocchi's `enforce` does. */
export function resourcePolicyTarget(resource: Resource): Record<string, string | null> {
  return {
    id: resource.id,
    creator: resource.creator,
    ...creatorParts(resource.creator),
    user_id: resource.userId,
    project_id: resource.projectId,
  };
}

/** Gnocchi's ETag: the SHA-1 of the id and the revision start's isoformat, quoted. */
export function resourceEtag(resource: Resource): string {
  const digest = createHash('sha1')
    .update(resource.id)
    .update(pythonIsoformat(resource.revisionStart))
    .digest('hex');
  return `"${digest}"`;
}

/** The revision start as an HTTP date (to the second). */
export function resourceLastModified(resource: Resource): string {
  return new Date(Math.floor(resource.revisionStart / 1000)).toUTCString();
}
