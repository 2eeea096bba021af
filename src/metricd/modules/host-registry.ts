/**
 * The hosts the poller dumps, kept in the indexer as resources of type `host` (attributes
 * `host_name` and `address`, `host:port` of its agent), so that the resource API, searches and
 * history work on them as on any resource; and the `host` archive policy their metrics get.
 * Both are made on first use (`orzo host add`, or the poller's start) rather than by `orzo
 * upgrade`, which keeps Gnocchi's defaults as Gnocchi has them.
 */
import { createArchivePolicy } from '../../archive-policy/index.ts';
import { MATCH_ALL, transformResourceId } from '../../grammar/index.ts';
import {
  ArchivePolicyAlreadyExistsError,
  ResourceTypeAlreadyExistsError,
  type Indexer,
} from '../../indexer/index.ts';
import { parseResourceTypeInput, type Resource } from '../../resource/index.ts';

/** The resource type of hosts. */
export const HOST_RESOURCE_TYPE = 'host';

/** The archive policy of host metrics: 15 s for a day, 5 min for 30 days, 1 h for a year. */
export const HOST_ARCHIVE_POLICY = 'host';

/** Who creates host resources (so that `GET /v1/resource/host/<name>` finds them as admin). */
export const HOST_CREATOR = 'admin';

/** A host as the poller sees it. */
export interface KnownHost {
  readonly name: string;
  readonly resourceId: string;
  readonly address: string;
  readonly metrics: Readonly<Record<string, string>>;
}

/** Makes the `host` resource type and archive policy unless they exist. */
export async function ensureHostSchema(
  indexer: Indexer,
  defaultAggregationMethods: readonly string[],
): Promise<void> {
  try {
    await indexer.createResourceType(
      parseResourceTypeInput({
        name: HOST_RESOURCE_TYPE,
        attributes: {
          host_name: { type: 'string', required: true, max_length: 255 },
          address: { type: 'string', required: true, max_length: 255 },
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceTypeAlreadyExistsError)) throw error;
  }
  try {
    await indexer.createArchivePolicy(
      createArchivePolicy(
        {
          name: HOST_ARCHIVE_POLICY,
          aggregation_methods: ['mean', 'min', 'max', 'last'],
          definition: [
            { granularity: '15 seconds', timespan: '1 day' },
            { granularity: '5 minutes', timespan: '30 days' },
            { granularity: '1 hour', timespan: '365 days' },
          ],
        },
        { defaultAggregationMethods },
      ),
    );
  } catch (error) {
    if (!(error instanceof ArchivePolicyAlreadyExistsError)) throw error;
  }
}

/** The resource id of a host name. */
export function hostResourceId(name: string): string {
  return transformResourceId(name, HOST_CREATOR);
}

/** Adds a host; throws the indexer's `ResourceAlreadyExistsError` for a name already known. */
export async function addHost(
  indexer: Indexer,
  name: string,
  address: string,
  nowUs: number,
): Promise<KnownHost> {
  const resource = await indexer.createResource({
    id: hostResourceId(name),
    type: HOST_RESOURCE_TYPE,
    originalResourceId: name,
    creator: HOST_CREATOR,
    userId: null,
    projectId: null,
    startedAt: nowUs,
    endedAt: null,
    attributes: { host_name: name, address },
    metrics: {},
  });
  return knownHost(resource);
}

/** Removes a host and its metrics; throws the indexer's `ResourceNotFoundError`. */
export async function removeHost(indexer: Indexer, name: string): Promise<void> {
  await indexer.deleteResource(HOST_RESOURCE_TYPE, hostResourceId(name));
}

/** Every known host, by name. */
export async function listHosts(indexer: Indexer, nowUs: number): Promise<KnownHost[]> {
  const hosts: KnownHost[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await indexer.searchResources({
      type: HOST_RESOURCE_TYPE,
      filter: MATCH_ALL,
      limit: 1000,
      now: nowUs,
      ...(marker === undefined ? {} : { marker }),
    });
    hosts.push(...page.map(knownHost));
    if (page.length < 1000) break;
    marker = page.at(-1)?.id;
  }
  return hosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function knownHost(resource: Resource): KnownHost {
  return {
    name: String(resource.attributes.host_name ?? resource.originalResourceId),
    resourceId: resource.id,
    address: String(resource.attributes.address ?? ''),
    metrics: resource.metrics,
  };
}

/** `host:port` (or `[v6]:port`) as its parts; undefined when it is not one. */
export function parseAgentAddress(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !(port >= 1 && port <= 65535)) return undefined;
  return { host, port };
}
