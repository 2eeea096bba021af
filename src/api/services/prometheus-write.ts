/**
 * Prometheus remote write mapped as Gnocchi maps it: each series belongs to the resource of type
 * `prometheus` (made on first use, with the required string attributes `job` and `instance`)
 * whose original id is `<job>@<instance>` (`none` for a missing label), and is the metric named by
 * its `__name__` label. Other labels are dropped, so series that differ only by them collide: the
 * last one of a request wins, as in Gnocchi. With `labelsInName`, the metric is named
 * `<name>@k=v,…` with the other labels sorted by key (as the InfluxDB mapping names tags), so that
 * such series (a histogram's buckets, say) stay apart. `/` in a name becomes `_`.
 */
import { ResourceTypeAlreadyExistsError } from '../../indexer/index.ts';
import type { MeasureBatch } from '../../ingest/index.ts';
import { parseResourceTypeInput } from '../../resource/index.ts';
import { UndecodableBodyError } from '../http/request-errors.ts';
import type { RemoteSeries } from '../ingest/remote-write-body.ts';
import {
  addBatches,
  resourceWithMetrics,
  storeBatches,
  type UpsertContext,
} from './resource-upsert.ts';

/** The resource type of remote-written series. */
export const PROMETHEUS_RESOURCE_TYPE = 'prometheus';

// NOTE: Gnocchi declares 512; a type made through Orzo's (and Gnocchi's) API allows at most 255.
const LABEL_ATTRIBUTE = { type: 'string', min_length: 1, max_length: 255, required: true };
/** Labels that name the resource, never part of a metric name. */
const RESOURCE_LABELS = new Set(['__name__', 'job', 'instance']);

interface ResourceSeries {
  readonly job: string;
  readonly instance: string;
  readonly metrics: Map<string, { timestamps: number[]; values: number[] }>;
}

/** The metric name of a series. */
function metricNameOf(
  name: string,
  labels: ReadonlyMap<string, string>,
  withLabels: boolean,
): string {
  if (!withLabels) return name;
  const keys = [...labels.keys()].filter((key) => !RESOURCE_LABELS.has(key)).sort();
  const suffix = keys.map((key) => `${key}=${String(labels.get(key))}`).join(',');
  return (suffix === '' ? name : `${name}@${suffix}`).replaceAll('/', '_');
}

/** Series grouped by resource (`job@instance`), then by metric name. */
function byResource(
  series: readonly RemoteSeries[],
  labelsInName: boolean,
): Map<string, ResourceSeries> {
  const resources = new Map<string, ResourceSeries>();
  for (const { labels, timestampsMs, values } of series) {
    const name = labels.get('__name__');
    if (name === undefined || name === '') {
      throw new UndecodableBodyError('a series has no __name__ label');
    }
    if (timestampsMs.length === 0) continue;
    const job = labels.get('job') ?? 'none';
    const instance = labels.get('instance') ?? 'none';
    const key = `${job}@${instance}`;
    let resource = resources.get(key);
    if (resource === undefined) {
      resource = { job, instance, metrics: new Map() };
      resources.set(key, resource);
    }
    const metricName = metricNameOf(name, labels, labelsInName);
    const timestamps = timestampsMs.map((ms) => ms * 1000);
    const previous = resources.get(key)?.metrics.get(metricName);
    if (labelsInName && previous !== undefined) {
      previous.timestamps.push(...timestamps);
      previous.values.push(...values);
    } else {
      // NOTE: Gnocchi's collision: the last series of that name replaces the earlier ones.
      resource.metrics.set(metricName, { timestamps, values: [...values] });
    }
  }
  return resources;
}

/** Makes the `prometheus` resource type unless it exists. */
async function ensureResourceType(context: Pick<UpsertContext, 'indexer' | 'auth'>): Promise<void> {
  if ((await context.indexer.getResourceType(PROMETHEUS_RESOURCE_TYPE)) !== undefined) return;
  context.auth.enforce('create resource type', { name: PROMETHEUS_RESOURCE_TYPE });
  try {
    await context.indexer.createResourceType(
      parseResourceTypeInput({
        name: PROMETHEUS_RESOURCE_TYPE,
        attributes: { instance: LABEL_ATTRIBUTE, job: LABEL_ATTRIBUTE },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceTypeAlreadyExistsError)) throw error;
  }
}

/** Stores the samples of a remote write, making resources and metrics as needed. */
export async function writeRemoteSeries(
  context: UpsertContext,
  series: readonly RemoteSeries[],
  options: { readonly labelsInName: boolean },
): Promise<void> {
  const resources = byResource(series, options.labelsInName);
  context.op.mark('parsed');
  if (resources.size === 0) return;
  await ensureResourceType(context);
  const creator = context.auth.currentUser();
  const batches = new Map<string, MeasureBatch>();
  for (const [originalId, { job, instance, metrics }] of resources) {
    const resource = await resourceWithMetrics(context, {
      type: PROMETHEUS_RESOURCE_TYPE,
      originalId,
      creator,
      attributes: { job, instance },
      metricNames: [...metrics.keys()],
    });
    addBatches(batches, resource, metrics);
  }
  await storeBatches(context, batches);
}
