/**
 * The read behind every cross-metric endpoint (Gnocchi's `processor.get_measures`): choose the
 * granularities (the one asked for, else those common to every referenced metric), check each
 * reference's policy has its method and those granularities, process pending measures first when
 * asked to, read every reference at every granularity, then hand the series to carbonara's
 * `crossAggregate`.
 */
import type { ArchivePolicy } from '../../archive-policy/index.ts';
import {
  crossAggregate,
  UnaggregableSeriesError,
  type CrossAggregateResult,
  type CrossFill,
  type CrossOperation,
  type CrossReference,
  type GranularityInput,
  type Series,
} from '../../carbonara/index.ts';
import { mapLimit } from '../../async/map-limit.ts';
import type { Metric } from '../../indexer/index.ts';
import type { TrackedOp } from '../../optracker/index.ts';
import type { Resource } from '../../resource/index.ts';
import type { Storage } from '../../storage/index.ts';
import type { MetricRefresher } from '../api-deps.ts';
import { UnknownAggregationReferencesError } from '../http/aggregates-errors.ts';
import { MetricLockedError } from '../http/request-errors.ts';

/** A metric as one operand of cross-metric aggregation. */
export interface ResolvedReference {
  readonly metric: Metric;
  readonly policy: ArchivePolicy;
  readonly aggregation: string;
  /** The `[ref, aggregation]` pair that `metric` nodes name it by (a glob in resource mode). */
  readonly key: CrossReference;
  /** How errors name it: the metric id, or its name on the resource in resource mode. */
  readonly name: string;
  /** Resource mode: the resource the metric was found on. */
  readonly resource?: Resource;
}

/** What the read needs. */
export interface CrossReadContext {
  readonly storage: Pick<Storage, 'getMeasures'>;
  readonly op: Pick<TrackedOp, 'mark'>;
  readonly refresh?: MetricRefresher | undefined;
  readonly refreshTimeoutMs: number;
}

/** How to read and aggregate. */
export interface CrossReadOptions {
  readonly start?: number | undefined;
  readonly stop?: number | undefined;
  /** µs; when absent, the granularities common to every reference. */
  readonly granularity?: number | undefined;
  readonly fill?: CrossFill | undefined;
  /** A percentage, used when there is no fill. @defaultValue 100 */
  readonly neededOverlap?: number | undefined;
  readonly refresh?: boolean;
}

/** Reads in flight at once per request: enough to overlap I/O, few enough to stay fair. */
const READ_CONCURRENCY = 16;

/** Aggregates `references` as `operation` says; throws Gnocchi's 400s and 404s. */
export async function aggregateReferences(
  context: CrossReadContext,
  references: readonly ResolvedReference[],
  operation: CrossOperation,
  options: CrossReadOptions,
): Promise<CrossAggregateResult> {
  const granularities = chooseGranularities(references, options.granularity);
  if (options.refresh === true) await refreshMetrics(context, references);
  const inputs = await readSeries(context, references, granularities, options);
  context.op.mark('read');
  return crossAggregate(operation, inputs, {
    keys: references.map((reference) => reference.key),
    fill: options.fill,
    neededOverlap: options.neededOverlap ?? 100,
    start: options.start,
    stop: options.stop,
  });
}

/** The granularities (µs) to aggregate at, checked against every reference's policy. */
export function chooseGranularities(
  references: readonly ResolvedReference[],
  asked: number | undefined,
): number[] {
  const granularities = asked === undefined ? commonGranularities(references) : [asked];
  const unknown = references.filter(
    ({ policy, aggregation }) => !policy.aggregationMethods.includes(aggregation),
  );
  if (unknown.length > 0) {
    throw new UnknownAggregationReferencesError(
      unknown.map(({ metric, aggregation }) => [metric.id, aggregation] as const),
    );
  }
  const missing: (string | number)[][] = [];
  for (const { policy, name, aggregation } of references) {
    const held = policy.definition.map((item) => item.granularity);
    const lacking = granularities.find((granularity) => !held.includes(granularity));
    if (lacking !== undefined) missing.push([name, aggregation, lacking / 1e6]);
  }
  if (missing.length > 0) throw new UnaggregableSeriesError('Granularities are missing', missing);
  return granularities;
}

/** The granularities every reference's policy holds; throws when there is none. */
export function commonGranularities(references: readonly ResolvedReference[]): number[] {
  const counts = new Map<number, number>();
  for (const { policy } of references) {
    for (const { granularity } of policy.definition) {
      counts.set(granularity, (counts.get(granularity) ?? 0) + 1);
    }
  }
  const common = [...counts].filter(([, n]) => n === references.length).map(([g]) => g);
  if (common.length === 0) {
    const detail = references.map(({ name, aggregation }) => [name, aggregation]);
    throw new UnaggregableSeriesError('No granularity match', detail);
  }
  return common;
}

/** Processes each distinct metric's pending measures; throws `MetricLockedError` on a timeout. */
export async function refreshMetrics(
  context: Pick<CrossReadContext, 'refresh' | 'refreshTimeoutMs' | 'op'>,
  references: readonly { readonly metric: Metric }[],
): Promise<void> {
  const { refresh } = context;
  if (refresh === undefined) return;
  const ids = [...new Set(references.map(({ metric }) => metric.id))];
  for (const id of ids) {
    if (!(await refresh(id, context.refreshTimeoutMs))) throw new MetricLockedError(id);
  }
  context.op.mark('refreshed');
}

async function readSeries(
  context: CrossReadContext,
  references: readonly ResolvedReference[],
  granularities: readonly number[],
  options: CrossReadOptions,
): Promise<GranularityInput[]> {
  const { start, stop } = options;
  const reads = references.flatMap((reference) =>
    granularities.map((granularity) => ({ reference, granularity })),
  );
  const series = await mapLimit(reads, READ_CONCURRENCY, async ({ reference, granularity }) => {
    const read = await context.storage.getMeasures(reference.metric.id, reference.policy, {
      method: reference.aggregation,
      granularities: [granularity],
      ...(start === undefined ? {} : { start }),
      ...(stop === undefined ? {} : { stop }),
    });
    return read?.[0]?.series ?? EMPTY;
  });
  return granularities.map((granularity, g) => ({
    granularity,
    series: references.map((_reference, r) => series[r * granularities.length + g] as Series),
  }));
}

const EMPTY: Series = Object.freeze({
  timestamps: new Float64Array(0),
  values: new Float64Array(0),
});
