/**
 * `POST /v1/search/metric?metric_id=…`: the stored aggregates of each metric whose value satisfies
 * a predicate (`grammar/metric-value-query.ts`), at the granularities asked for (repeatable) or
 * every granularity of the metric's policy, coarsest first. Unknown metric ids are left out, as
 * in Gnocchi; a metric not yet processed, or a granularity its policy lacks, is refused.
 */
import type { Series } from '../../carbonara/index.ts';
import {
  normalizeUuid,
  parseMetricValueQuery,
  parseTimestamp,
  type ValuePredicate,
} from '../../grammar/index.ts';
import { lastArgument, listArgument, type QueryArgs } from '../arguments/pagination.ts';
import { parseGranularity, DEFAULT_AGGREGATION } from '../arguments/measures-arguments.ts';
import { AggregationRequestError, MetricWithoutMeasuresError } from '../http/aggregates-errors.ts';
import { AggregationNotFoundError, InvalidArgumentValueError } from '../http/request-errors.ts';
import { renderMeasuresJson } from '../views/measures-json.ts';
import { createdMetricToJson, metricPolicyTarget } from '../views/metric-json.ts';
import type { AggregatesContext } from './aggregates.ts';
import { withArchivePolicies } from './metrics.ts';

/** Answers the search with its JSON text. */
export async function searchMetricValues(
  context: AggregatesContext,
  query: QueryArgs,
  body: unknown,
): Promise<string> {
  const ids = listArgument(query.metric_id).map((text) => {
    const id = normalizeUuid(text);
    if (id === undefined) {
      throw new InvalidArgumentValueError('metric_id', 'badly formed hexadecimal UUID string');
    }
    return id;
  });
  const metrics = await context.indexer.getMetrics([...new Set(ids)]);
  for (const metric of metrics) context.auth.enforce('search metric', metricPolicyTarget(metric));
  if (body === undefined || body === null) {
    throw new AggregationRequestError('No query specified in body');
  }
  const predicate = parseMetricValueQuery(body);
  const start = bound(query, 'start', context.now);
  const stop = bound(query, 'stop', context.now);
  const method = lastArgument(query, 'aggregation') ?? DEFAULT_AGGREGATION;
  const asked = listArgument(query.granularity).map(parseGranularity);
  const answers: string[] = [];
  for (const { metric, archivePolicy } of await withArchivePolicies(
    context.archivePolicies,
    metrics,
  )) {
    const held = archivePolicy.definition.map((item) => item.granularity);
    const granularities = (asked.length > 0 ? asked : held).toSorted((a, b) => b - a);
    for (const granularity of granularities) {
      if (!held.includes(granularity) || !archivePolicy.aggregationMethods.includes(method)) {
        throw new AggregationNotFoundError(metric.id, method, granularity);
      }
    }
    const read = await context.storage.getMeasures(metric.id, archivePolicy, {
      method,
      granularities,
      ...(start === undefined ? {} : { start }),
      ...(stop === undefined ? {} : { stop }),
    });
    if (read === undefined) throw new MetricWithoutMeasuresError(createdMetricToJson(metric));
    const groups = read.map(({ granularity, series }) => ({
      granularity,
      ...matching(series, predicate),
    }));
    answers.push(`${JSON.stringify(metric.id)}:${renderMeasuresJson(groups)}`);
  }
  context.op.mark('read');
  return `{${answers.join(',')}}`;
}

function matching(series: Series, predicate: ValuePredicate): Series {
  const { timestamps, values } = series;
  const kept = new Uint8Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (predicate(values[i] as number)) {
      kept[i] = 1;
      count++;
    }
  }
  const out = { timestamps: new Float64Array(count), values: new Float64Array(count) };
  for (let i = 0, k = 0; i < values.length; i++) {
    if (kept[i] === 0) continue;
    out.timestamps[k] = timestamps[i] as number;
    out.values[k++] = values[i] as number;
  }
  return out;
}

function bound(query: QueryArgs, name: 'start' | 'stop', now: number): number | undefined {
  const text = lastArgument(query, name);
  if (text === undefined) return undefined;
  const micros = parseTimestamp(text, now);
  if (micros === undefined) throw new AggregationRequestError(`Invalid value for ${name}`);
  return micros;
}
