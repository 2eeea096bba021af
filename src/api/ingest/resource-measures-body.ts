/**
 * The body of `POST /v1/batch/resources/metrics/measures`, read: resource id (as sent) → metric
 * name → measures, each list alone or in `{archive_policy_name?, unit?, measures}`. Every measure
 * is read before anything happens, so a bad one stores nothing. Runs where `measures-body.ts`
 * runs (in place, or in a parsing worker for a large body), so its result is plain data: one
 * entry per resource and metric, keyed by {@link resourceMetricKey}.
 */
import { InvalidMeasuresError, parseMeasures } from '../../ingest/index.ts';
import type { ParsedBatch, ParsedMeasures } from './parsed-measures.ts';

/** The key of one resource's metric among the parsed batches. */
export function resourceMetricKey(resourceId: string, name: string): string {
  return JSON.stringify([resourceId, name]);
}

/** The resource id (as sent) and metric name of a key made by {@link resourceMetricKey}. */
export function parseResourceMetricKey(key: string): [string, string] {
  return JSON.parse(key) as [string, string];
}

/** Reads a decoded body; throws `InvalidMeasuresError` naming the `resource/metric` at fault. */
export function parseResourceMeasuresBody(body: unknown, now: number): ParsedMeasures {
  if (!isObject(body)) {
    throw new InvalidMeasuresError('batch-format', {
      detail: 'the body must be an object mapping resource ids to metric names and measures',
    });
  }
  const parsed = new Map<string, ParsedBatch>();
  for (const [resourceId, named] of Object.entries(body)) {
    if (!isObject(named)) {
      throw new InvalidMeasuresError('batch-format', {
        metricKey: resourceId,
        detail: 'each resource maps metric names to measures',
      });
    }
    for (const [name, entry] of Object.entries(named)) {
      const measures = isObject(entry) ? entry.measures : entry;
      const request = isObject(entry)
        ? {
            ...(typeof entry.archive_policy_name === 'string'
              ? { archivePolicyName: entry.archive_policy_name }
              : {}),
            ...(typeof entry.unit === 'string' ? { unit: entry.unit } : {}),
          }
        : {};
      try {
        const batch = parseMeasures(measures, { now });
        parsed.set(resourceMetricKey(resourceId, name), { ...batch, request });
      } catch (error) {
        throw error instanceof InvalidMeasuresError
          ? error.withMetricKey(`${resourceId}/${name}`)
          : error;
      }
    }
  }
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
