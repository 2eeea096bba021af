/**
 * What each instance of a sub-health group showed over one check's window, read back from the
 * series of its resource: each signal is the sum, over the resource's metrics whose names match
 * it, of the mean of their finest aggregates in the window times the window's seconds (for a
 * rate, what was done in the window; for a gauge such as blocked processes, process-seconds). Reading stored series (rather than
 * asking each instance) is what lets one detector judge metricd workers, agent hosts and users'
 * own resources alike; an instance with no point in the window is left out of the check.
 */
import type { ArchivePolicy } from '../../archive-policy/index.ts';
import { mapLimit } from '../../async/map-limit.ts';
import { fnmatchCase, MATCH_ALL, type ResourceFilter } from '../../grammar/index.ts';
import type { Indexer, Metric } from '../../indexer/index.ts';
import { hostResourceId, type Resource } from '../../resource/index.ts';
import type { Storage } from '../../storage/index.ts';
import type { InstanceSample, SignalSpec, SubhealthGroup } from '../../subhealth/index.ts';

/** One instance of a check, with what names it in findings. */
export interface GroupInstance {
  readonly resourceId: string;
  readonly name: string;
  readonly hostId: string | null;
  readonly hostName: string | null;
  readonly sample: InstanceSample;
  /** Each wait signal's value. */
  readonly waitsBySignal: Readonly<Record<string, number>>;
}

/** Storage reads at once. */
const READ_CONCURRENCY = 32;

/** Resources per page of the listing. */
const PAGE = 1000;

/** The instances of a group with their figures over `[startUs, stopUs)`. */
export async function readGroupSamples(
  services: { readonly indexer: Indexer; readonly storage: Pick<Storage, 'getMeasures'> },
  group: SubhealthGroup,
  startUs: number,
  stopUs: number,
): Promise<GroupInstance[]> {
  const { indexer, storage } = services;
  const resources = await listInstances(indexer, group, stopUs);
  const signals = [...group.waits, ...group.loads];
  const wanted = new Map<string, { resource: number; signal: SignalSpec }[]>();
  resources.forEach((resource, index) => {
    for (const [name, id] of Object.entries(resource.metrics)) {
      for (const signal of signals) {
        if (!signal.metrics.some((pattern) => fnmatchCase(name, pattern))) continue;
        let uses = wanted.get(id);
        if (uses === undefined) wanted.set(id, (uses = []));
        uses.push({ resource: index, signal });
      }
    }
  });
  const metrics = await indexer.getMetrics([...wanted.keys()]);
  const policies = new Map<string, Promise<ArchivePolicy | undefined>>();
  const means = await mapLimit(metrics, READ_CONCURRENCY, async (metric) => {
    let policy = policies.get(metric.archivePolicyName);
    if (policy === undefined) {
      policy = indexer.getArchivePolicy(metric.archivePolicyName);
      policies.set(metric.archivePolicyName, policy);
    }
    const mean = await windowMean(storage, metric, await policy, startUs, stopUs);
    return mean === undefined ? undefined : (mean * (stopUs - startUs)) / 1_000_000;
  });
  const values = resources.map(() => new Map<SignalSpec, number>());
  const seen = resources.map(() => false);
  metrics.forEach((metric, index) => {
    const mean = means[index];
    if (mean === undefined) return;
    for (const use of wanted.get(metric.id) ?? []) {
      const byResource = values[use.resource];
      byResource?.set(use.signal, (byResource.get(use.signal) ?? 0) + mean);
      seen[use.resource] = true;
    }
  });
  const instances: GroupInstance[] = [];
  resources.forEach((resource, index) => {
    const byResource = values[index];
    if (!seen[index] || byResource === undefined) return;
    const waitsBySignal = Object.fromEntries(
      group.waits.map((signal) => [signal.name, byResource.get(signal) ?? 0]),
    );
    const loads = Object.fromEntries(
      group.loads.map((signal) => [signal.name, byResource.get(signal) ?? 0]),
    );
    const hostName = attributeText(resource, group.hostAttribute);
    instances.push({
      resourceId: resource.id,
      name: attributeText(resource, group.nameAttribute) ?? resource.originalResourceId,
      // NOTE: the id the host's own resource has (the poller's), whether or not it is polled.
      hostId: hostName === null ? null : hostResourceId(hostName),
      hostName,
      waitsBySignal,
      sample: {
        id: resource.id,
        waits: Object.values(waitsBySignal).reduce((sum, value) => sum + value, 0),
        loads,
      },
    });
  });
  return instances;
}

/** The group's resources, alive at `nowUs`, with its filter. */
async function listInstances(
  indexer: Indexer,
  group: SubhealthGroup,
  nowUs: number,
): Promise<Resource[]> {
  const conditions: ResourceFilter[] = Object.entries(group.filter).map(([field, value]) => ({
    kind: 'compare',
    op: '=',
    field,
    value,
  }));
  const filter: ResourceFilter =
    conditions.length === 0 ? MATCH_ALL : { kind: 'and', children: conditions };
  const found: Resource[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await indexer.searchResources({
      type: group.resourceType,
      filter,
      limit: PAGE,
      now: nowUs,
      ...(marker === undefined ? {} : { marker }),
    });
    found.push(...page.filter((resource) => resource.endedAt === null));
    if (page.length < PAGE) return found;
    marker = page.at(-1)?.id;
  }
}

/** The mean of a metric's finest `mean` aggregates in the window; undefined without any. */
async function windowMean(
  storage: Pick<Storage, 'getMeasures'>,
  metric: Metric,
  policy: ArchivePolicy | undefined,
  startUs: number,
  stopUs: number,
): Promise<number | undefined> {
  if (!policy?.aggregationMethods.includes('mean')) return undefined;
  const finest = Math.min(...policy.definition.map((item) => item.granularity));
  const read = await storage.getMeasures(metric.id, policy, {
    method: 'mean',
    granularities: [finest],
    start: startUs,
    stop: stopUs,
  });
  const values = read?.[0]?.series.values;
  if (values === undefined || values.length === 0) return undefined;
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    sum += value;
    count++;
  }
  return count === 0 ? undefined : sum / count;
}

function attributeText(resource: Resource, attribute: string | null): string | null {
  if (attribute === null) return null;
  const value = resource.attributes[attribute];
  return value === undefined || value === null ? null : String(value);
}
