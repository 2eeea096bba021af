/**
 * The hosts the poller dumps, kept in the indexer as resources of type `host` (attributes
 * `host_name` and `address`, `host:port` of its agent), so that the resource API, searches and
 * history work on them as on any resource; and the `host` archive policy their metrics get.
 * Both are made on first use (`orzo host add`, or the poller's start) rather than by `orzo
 * upgrade`, which keeps Gnocchi's defaults as Gnocchi has them.
 */
import { createArchivePolicy } from '../../archive-policy/index.ts';
import { MATCH_ALL } from '../../grammar/index.ts';
import {
  ArchivePolicyAlreadyExistsError,
  ResourceTypeAlreadyExistsError,
  type Indexer,
} from '../../indexer/index.ts';
import {
  HOST_CREATOR,
  HOST_RESOURCE_TYPE,
  hostResourceId,
  parseResourceTypeInput,
  type Resource,
} from '../../resource/index.ts';

export { HOST_CREATOR, HOST_RESOURCE_TYPE, hostResourceId };

/** The archive policy of host metrics: 15 s for a day, 5 min for 30 days, 1 h for a year. */
export const HOST_ARCHIVE_POLICY = 'host';

/** A host as the poller sees it. */
export interface KnownHost {
  readonly name: string;
  readonly resourceId: string;
  readonly address: string;
  /** Seconds between two dumps of this host; the poller's own quantum when undefined. */
  readonly quantumSeconds: number | undefined;
  readonly metrics: Readonly<Record<string, string>>;
}

/**
 * The `host` type's attributes. `quantum` (seconds) overrides the poller's quantum for one host;
 * it was added after the first release, so a type made without it gets it on the poller's start.
 */
const HOST_ATTRIBUTES = {
  host_name: { type: 'string', required: true, max_length: 255 },
  address: { type: 'string', required: true, max_length: 255 },
  quantum: { type: 'number', required: false, min: 1, max: 86_400 },
} as const;

/** Makes the `host` resource type and archive policy unless they exist. */
export async function ensureHostSchema(
  indexer: Indexer,
  defaultAggregationMethods: readonly string[],
): Promise<void> {
  const wanted = parseResourceTypeInput({ name: HOST_RESOURCE_TYPE, attributes: HOST_ATTRIBUTES });
  try {
    await indexer.createResourceType(wanted);
  } catch (error) {
    if (!(error instanceof ResourceTypeAlreadyExistsError)) throw error;
    const current = await indexer.getResourceType(HOST_RESOURCE_TYPE);
    const quantum = wanted.attributes.quantum;
    if (
      quantum !== undefined &&
      current !== undefined &&
      current.attributes.quantum === undefined
    ) {
      await indexer.updateResourceType(HOST_RESOURCE_TYPE, (type) => ({
        type: { ...type, attributes: { ...type.attributes, quantum } },
        removed: [],
        filled: {},
      }));
    }
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

/** What `setHost` changes; a `quantumSeconds` of null returns the host to the poller's. */
export interface HostSettings {
  readonly address?: string;
  readonly quantumSeconds?: number | null;
}

/** Moves a host or sets its quantum; throws the indexer's `ResourceNotFoundError`. */
export async function setHost(
  indexer: Indexer,
  name: string,
  settings: HostSettings,
): Promise<KnownHost> {
  const attributes: Record<string, string | number | null> = {};
  if (settings.address !== undefined) attributes.address = settings.address;
  if (settings.quantumSeconds !== undefined) attributes.quantum = settings.quantumSeconds;
  return knownHost(
    await indexer.updateResource(HOST_RESOURCE_TYPE, hostResourceId(name), () => ({ attributes })),
  );
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
    quantumSeconds:
      typeof resource.attributes.quantum === 'number' ? resource.attributes.quantum : undefined,
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
