/**
 * `POST /v1/influxdb/write?db=…`: lines of InfluxDB's line protocol stored as measures, mapped
 * as Gnocchi maps them. Each line's resource is the value of its `host` tag (or of the tag the
 * `X-Gnocchi-InfluxDB-Tag-Resource-ID` header names), a resource of type `db` whose id is that
 * value transformed for the caller; each numeric field is a metric of that resource named
 * `<measurement>.<field>`, followed by `@k=v,…` for the other tags sorted by key, with `/` made
 * `_`. String fields are skipped. Resources and metrics are created as needed (policies by rule).
 *
 * The whole body is read before anything is created or stored, so a bad line stores nothing.
 */
import { InfluxLineError, parseInfluxLine } from '../../grammar/influx-line.ts';
import type { MeasureBatch } from '../../ingest/index.ts';
import { InfluxBadWriteError } from '../http/request-errors.ts';
import {
  addBatches,
  resourceWithMetrics,
  storeBatches,
  type UpsertContext,
} from './resource-upsert.ts';

/** The tag naming a line's resource unless the request says otherwise. */
export const DEFAULT_INFLUX_RESOURCE_TAG = 'host';

/** What a write needs; `now` (µs) is also the timestamp of lines without one. */
export type InfluxWriteContext = UpsertContext;

/** How to read a body. */
export interface InfluxWriteOptions {
  /** The resource type (`db`). */
  readonly db: string;
  /** The tag holding the resource id. */
  readonly resourceTag: string;
  /** Microseconds per unit of the lines' timestamps. */
  readonly unitUs: number;
}

/** Measures by metric name, as read. */
type MetricSeries = Map<string, { timestamps: number[]; values: number[] }>;

/**
 * Reads a body: measures by resource name (the tag's value), then by metric name. Throws
 * {@link InfluxBadWriteError} naming the first bad line (counted from 1, empty lines included).
 */
export function readInfluxBody(
  text: string,
  options: Pick<InfluxWriteOptions, 'resourceTag' | 'unitUs'>,
  nowUs: number,
): Map<string, MetricSeries> {
  const resources = new Map<string, MetricSeries>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    let parsed;
    try {
      parsed = parseInfluxLine(lines[index] as string, options.unitUs);
    } catch (error) {
      if (!(error instanceof InfluxLineError)) throw error;
      throw new InfluxBadWriteError(
        'line',
        `Unable to parse line ${String(index + 1)}`,
        error.message,
      );
    }
    if (parsed === undefined) continue;
    const { measurement, tags, fields, timestampUs } = parsed;
    const resourceName = tags.get(options.resourceTag);
    if (resourceName === undefined) {
      throw new InfluxBadWriteError('key', `Unable to find key \`${options.resourceTag}' in tags`);
    }
    tags.delete(options.resourceTag);
    const tagKeys = [...tags.keys()].sort();
    const suffix =
      tagKeys.length === 0
        ? ''
        : `@${tagKeys.map((key) => `${key}=${String(tags.get(key))}`).join(',')}`;
    let metrics = resources.get(resourceName);
    if (metrics === undefined) {
      metrics = new Map();
      resources.set(resourceName, metrics);
    }
    for (const [field, value] of fields) {
      // NOTE: string fields are not measures; Gnocchi skips them too.
      if (typeof value === 'string') continue;
      const name = `${measurement}.${field}${suffix}`.replaceAll('/', '_');
      let series = metrics.get(name);
      if (series === undefined) {
        series = { timestamps: [], values: [] };
        metrics.set(name, series);
      }
      series.timestamps.push(timestampUs ?? nowUs);
      series.values.push(value);
    }
  }
  return resources;
}

/** Stores a body's measures, creating resources and metrics as needed. */
export async function writeInfluxBody(
  context: InfluxWriteContext,
  text: string,
  options: InfluxWriteOptions,
): Promise<void> {
  const resources = readInfluxBody(text, options, context.now);
  context.op.mark('parsed');
  const creator = context.auth.currentUser();
  const batches = new Map<string, MeasureBatch>();
  for (const [name, series] of resources) {
    if (series.size === 0) continue;
    const resource = await resourceWithMetrics(context, {
      type: options.db,
      originalId: name,
      creator,
      attributes: {},
      metricNames: [...series.keys()],
    });
    addBatches(batches, resource, series);
  }
  await storeBatches(context, batches);
}
