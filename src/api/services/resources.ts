/**
 * Resources as Gnocchi's REST layer handles them: ids from URLs and bodies transformed for the
 * caller, bodies read against the type, the policy checked on the resource acted on, listings
 * and searches limited to what the caller may see and run in SQL by the indexer.
 */
import {
  InvalidResourceIdError,
  MATCH_ALL,
  mapFilterValues,
  normalizeUuid,
  transformResourceId,
  type ResourceFilter,
} from '../../grammar/index.ts';
import {
  RESOURCE_DEFAULT_SORTS,
  ResourceNotFoundError,
  ResourceTypeNotFoundError,
  SORT_DIRECTIONS,
  type Indexer,
  type ResourceSort,
  type SortDirection,
  InvalidPaginationError,
} from '../../indexer/index.ts';
import {
  GENERIC_TYPE,
  parseResourceInput,
  type Resource,
  type ResourceChanges,
  type ResourceType,
} from '../../resource/index.ts';
import type { Authorizer } from '../auth/auth.ts';
import type { PolicyRule } from '../auth/policies.ts';
import { parsePageRequest, type PageRequest, type QueryArgs } from '../arguments/pagination.ts';
import { resourcePolicyTarget } from '../views/resource-json.ts';
import { metricAttachments } from './resource-metrics.ts';

/** What resource operations need. */
export interface ResourceContext {
  readonly indexer: Indexer;
  readonly auth: Authorizer;
  /** Now, in microseconds, for relative timestamps. */
  readonly now: number;
}

/** A page of resources, with the types to render them by. */
export interface ResourcePage {
  readonly resources: readonly Resource[];
  readonly page: PageRequest;
  /** The type of each resource shown with its attributes (by type name). */
  readonly types: ReadonlyMap<string, ResourceType>;
  /** Whether history rows are in the page (markers then say `<id>@<revision>`). */
  readonly history: boolean;
}

/** The default sorts of listings and searches, as they go back into `Link` headers. */
export const RESOURCE_DEFAULT_SORT_ARGS: readonly string[] = RESOURCE_DEFAULT_SORTS.map(
  ({ key, direction }) => `${key}:${direction}`,
);

/** The type named in a URL; throws `ResourceTypeNotFoundError`. */
export async function findResourceType(
  indexer: Pick<Indexer, 'getResourceType'>,
  name: string,
): Promise<ResourceType> {
  const type = await indexer.getResourceType(name);
  if (type === undefined) throw new ResourceTypeNotFoundError(name);
  return type;
}

/**
 * The id a URL's resource id stands for: a UUID as is, anything else transformed for the caller
 * (which needs the caller); one that cannot be an id answers 404.
 */
export function resourceIdOf(auth: Pick<Authorizer, 'currentUser'>, raw: string): string {
  const uuid = normalizeUuid(raw);
  if (uuid !== undefined) return uuid;
  try {
    return transformResourceId(raw, auth.currentUser());
  } catch (error) {
    if (error instanceof InvalidResourceIdError) throw new ResourceNotFoundError(raw);
    throw error;
  }
}

/** The resource of a URL, if the caller passes `rule` on it; 404 names the transformed id. */
export async function findResource(
  context: ResourceContext,
  typeName: string,
  rawId: string,
  rule: PolicyRule,
): Promise<Resource> {
  const id = resourceIdOf(context.auth, rawId);
  const resource = await context.indexer.getResource(typeName, id);
  if (resource === undefined) {
    if (typeName !== GENERIC_TYPE) await findResourceType(context.indexer, typeName);
    throw new ResourceNotFoundError(id);
  }
  context.auth.enforce(rule, resourcePolicyTarget(resource));
  return resource;
}

/** Creates a resource of `POST /v1/resource/{type}`. */
export async function createResource(
  context: ResourceContext,
  typeName: string,
  body: unknown,
): Promise<Resource> {
  const { indexer, auth, now } = context;
  const type = await findResourceType(indexer, typeName);
  const creator = auth.currentUser();
  auth.enforce('create resource');
  const input = parseResourceInput(type, body, { creating: true, now });
  const rawId = input.id ?? '';
  const id = transformResourceId(rawId, creator);
  const metrics = await metricAttachments(indexer, input.metrics ?? {});
  return indexer.createResource({
    id,
    type: type.name,
    originalResourceId: rawId,
    creator,
    userId: input.userId ?? null,
    projectId: input.projectId ?? null,
    startedAt: input.startedAt ?? now,
    endedAt: input.endedAt ?? null,
    attributes: input.attributes,
    metrics,
  });
}

/**
 * Changes a resource as `PATCH /v1/resource/{type}/{id}` asks; `check` sees the current state
 * first (the conditional headers), inside the change.
 */
export async function updateResource(
  context: ResourceContext,
  typeName: string,
  rawId: string,
  body: unknown,
  check: (current: Resource) => void,
): Promise<Resource> {
  const { indexer, auth, now } = context;
  const type = typeName === GENERIC_TYPE ? undefined : await findResourceType(indexer, typeName);
  const id = resourceIdOf(auth, rawId);
  const input = parseResourceInput(type ?? GENERIC_SHAPE, body, { creating: false, now });
  const metrics =
    input.metrics === undefined ? undefined : await metricAttachments(indexer, input.metrics);
  return indexer.updateResource(typeName, id, (current) => {
    auth.enforce('update resource', resourcePolicyTarget(current));
    check(current);
    const changes: ResourceChanges = {
      ...(input.userId === undefined ? {} : { userId: input.userId }),
      ...(input.projectId === undefined ? {} : { projectId: input.projectId }),
      ...(input.startedAt === undefined ? {} : { startedAt: input.startedAt }),
      ...(input.endedAt === undefined ? {} : { endedAt: input.endedAt }),
      attributes: input.attributes,
      ...(metrics === undefined ? {} : { metrics }),
    };
    return changes;
  });
}

/** A page of `GET /v1/resource/{type}` or `POST /v1/search/resource/{type}`. */
export async function searchResources(
  context: ResourceContext & { readonly maxLimit: number },
  typeName: string,
  filter: ResourceFilter,
  query: QueryArgs,
  options: { readonly details: boolean; readonly history: boolean; readonly rule: PolicyRule },
): Promise<ResourcePage> {
  const { rule } = options;
  const { indexer, auth } = context;
  const page = parsePageRequest(query, context.maxLimit, RESOURCE_DEFAULT_SORT_ARGS);
  const sort = parseResourceSorts(page.sorts);
  const history = options.history;
  const searched = withIdsTransformed(filter, auth);
  const visible = auth.visibleResources(rule);
  const combined: ResourceFilter =
    visible === undefined ? searched : { kind: 'and', children: [searched, visible] };
  const resources = await indexer.searchResources({
    type: typeName,
    filter: combined,
    history,
    limit: page.limit,
    sort,
    now: context.now,
    ...(page.marker === undefined ? {} : { marker: page.marker }),
  });
  const types = new Map<string, ResourceType>();
  if (typeName !== GENERIC_TYPE) types.set(typeName, await findResourceType(indexer, typeName));
  else if (options.details) {
    for (const type of await indexer.listResourceTypes()) types.set(type.name, type);
  }
  return { resources, page, types, history };
}

/** Rows per indexer query when every matching resource is wanted. */
const ALL_RESOURCES_PAGE = 1000;

/**
 * Every current resource of a type matching the filter that the caller may see under `rule`, in
 * the order of `sort` (then by id), read page by page.
 */
export async function findAllResources(
  context: ResourceContext,
  typeName: string,
  filter: ResourceFilter,
  options: { readonly sort: readonly ResourceSort[]; readonly rule: PolicyRule },
): Promise<Resource[]> {
  const { indexer, auth } = context;
  const searched = withIdsTransformed(filter, auth);
  const visible = auth.visibleResources(options.rule);
  const combined: ResourceFilter =
    visible === undefined ? searched : { kind: 'and', children: [searched, visible] };
  const resources: Resource[] = [];
  for (;;) {
    const marker = resources.at(-1)?.id;
    const page = await indexer.searchResources({
      type: typeName,
      filter: combined,
      limit: ALL_RESOURCES_PAGE,
      sort: options.sort,
      now: context.now,
      ...(marker === undefined ? {} : { marker }),
    });
    resources.push(...page);
    if (page.length < ALL_RESOURCES_PAGE) return resources;
  }
}

/** Deletes what `DELETE /v1/resource/{type}` matches, once the caller may delete each. */
export async function deleteResources(
  context: ResourceContext,
  typeName: string,
  filter: ResourceFilter,
): Promise<number> {
  const { indexer, auth } = context;
  if (typeName !== GENERIC_TYPE) await findResourceType(indexer, typeName);
  const visible = auth.visibleResources('delete resources');
  const searched = withIdsTransformed(filter, auth);
  const combined: ResourceFilter =
    visible === undefined ? searched : { kind: 'and', children: [searched, visible] };
  return indexer.deleteResources(typeName, combined, context.now);
}

/** Parses `key[:direction]` sorts of a resource listing (keys are checked by the indexer). */
export function parseResourceSorts(sorts: readonly string[]): ResourceSort[] {
  return sorts.map((sort) => {
    const colon = sort.indexOf(':');
    const key = (colon === -1 ? sort : sort.slice(0, colon)).trim();
    const direction = colon === -1 || colon === sort.length - 1 ? 'asc' : sort.slice(colon + 1);
    if (!(SORT_DIRECTIONS as readonly string[]).includes(direction)) {
      throw new InvalidPaginationError('sort-direction', direction);
    }
    return { key, direction: direction as SortDirection };
  });
}

/** The `id` values of a filter as the caller means them: external ids become their UUIDs. */
function withIdsTransformed(filter: ResourceFilter, auth: Pick<Authorizer, 'currentUser'>) {
  if (filter === MATCH_ALL) return filter;
  return mapFilterValues(filter, 'id', (value) =>
    typeof value === 'string' ? resourceIdOrValue(value, auth) : value,
  );
}

function resourceIdOrValue(value: string, auth: Pick<Authorizer, 'currentUser'>): string {
  try {
    return resourceIdOf(auth, value);
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return value;
    throw error;
  }
}

/** `generic`'s shape, for bodies on `/v1/resource/generic/…`. */
const GENERIC_SHAPE: ResourceType = { name: GENERIC_TYPE, attributes: {}, state: 'active' };
