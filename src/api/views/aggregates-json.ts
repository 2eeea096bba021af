/**
 * The answers of `POST /v1/aggregates`, written into one string as single-metric reads are
 * (`measures-json.ts`), since they may hold hundreds of thousands of points:
 * - reduced to one series: `{"aggregated": [[ts, granularity, value], …]}`;
 * - per metric: `{"<metric id>": {"<aggregation>": [...]}}`;
 * - per resource: `{"<resource id>": {"<metric name>": {"<aggregation>": [...]}}}`.
 * Each list holds the coarsest granularity first; two references landing on the same list (the
 * same metric named twice) are concatenated, as Gnocchi's dictionaries extend them.
 */
import type { CrossAggregateResult } from '../../carbonara/index.ts';
import { renderMeasuresJson, type MeasureGroup } from './measures-json.ts';

/** What the answer says of a reference: its metric, method, and resource in resource mode. */
export interface AnsweredReference {
  readonly metric: { readonly id: string; readonly name: string | null };
  readonly aggregation: string;
  readonly resource?: { readonly id: string } | undefined;
}

/** Renders the `measures` object of an aggregates answer. */
export function renderAggregatedMeasures(
  result: CrossAggregateResult,
  references: readonly AnsweredReference[],
): string {
  if (result.aggregated) return `{"aggregated":${renderTriples(result, 0)}}`;
  const tree = new Map<string, Map<string, Map<string, number[]>>>();
  for (const [index, reference] of references.entries()) {
    const outer = reference.resource?.id ?? reference.metric.id;
    const middle = reference.resource === undefined ? '' : (reference.metric.name ?? '');
    const byName = tree.get(outer) ?? new Map<string, Map<string, number[]>>();
    tree.set(outer, byName);
    const byAggregation = byName.get(middle) ?? new Map<string, number[]>();
    byName.set(middle, byAggregation);
    const indexes = byAggregation.get(reference.aggregation) ?? [];
    byAggregation.set(reference.aggregation, indexes);
    indexes.push(index);
  }
  const resourceMode = references[0]?.resource !== undefined;
  const objects = [...tree].map(([outer, byName]) => {
    const names = [...byName].map(([name, byAggregation]) => {
      const lists = [...byAggregation].map(
        ([aggregation, indexes]) =>
          `${JSON.stringify(aggregation)}:${renderTriples(result, ...indexes)}`,
      );
      const inner = `{${lists.join(',')}}`;
      return resourceMode ? `${JSON.stringify(name)}:${inner}` : inner;
    });
    return `${JSON.stringify(outer)}:${resourceMode ? `{${names.join(',')}}` : names.join(',')}`;
  });
  return `{${objects.join(',')}}`;
}

/** The triples of the given outputs, granularity after granularity, as one JSON list. */
export function renderTriples(result: CrossAggregateResult, ...outputs: number[]): string {
  const groups: MeasureGroup[] = [];
  for (const group of result.groups) {
    for (const output of outputs) {
      const series = group.series[output];
      if (series !== undefined) groups.push({ granularity: group.granularity, ...series });
    }
  }
  return renderMeasuresJson(groups);
}
