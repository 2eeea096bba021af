/**
 * The read step for one granularity, as pure functions: which split bundles a query needs, and
 * how their points become the answer (Gnocchi's `get_aggregated_measures`: concatenate, truncate
 * to the timespan, optionally resample, then keep `[start, stop)`).
 */
import {
  findArchivePolicyItem,
  type ArchivePolicy,
  type ArchivePolicyItem,
} from '../archive-policy/index.ts';
import {
  calendarPeriod,
  fetchRange,
  resampleSeries,
  roundTimestamp,
  sliceSeries,
  splitKeyFor,
  truncateToTimespan,
  type CalendarGrouping,
  type Series,
} from '../carbonara/index.ts';
import { parseBundleObjectName } from './object-name.ts';
import { retentionCutoff } from './retention-cutoff.ts';

/** What a read of one granularity asks for. */
export interface AggregateReadOptions {
  readonly method: string;
  readonly start?: number | undefined;
  readonly stop?: number | undefined;
  readonly resample?: number | CalendarGrouping | undefined;
}

/** The bucket (µs) of `sampling` that holds `ts`, and where the next one starts. */
function periodOf(ts: number, sampling: number | CalendarGrouping): { start: number; end: number } {
  if (typeof sampling === 'string') return calendarPeriod(ts, sampling);
  const start = roundTimestamp(ts, sampling);
  return { start, end: start + sampling };
}

/**
 * The split keys (inclusive) whose bundles hold points the answer depends on. With a resample,
 * the bundles behind the whole first and last resampled buckets are included, so that edge
 * buckets are not computed from part of their points.
 */
export function splitKeyRange(
  item: ArchivePolicyItem,
  options: AggregateReadOptions,
): { readonly from: number; readonly to: number } {
  const { granularity } = item;
  const sampling = options.resample ?? granularity;
  let from = 0;
  let to = Infinity;
  if (options.start !== undefined) {
    from = splitKeyFor(periodOf(options.start, sampling).start, granularity);
  }
  if (options.stop !== undefined) {
    // NOTE: stop is exclusive and timestamps are whole microseconds.
    const last = Math.ceil(options.stop) - 1;
    to = splitKeyFor(periodOf(last, sampling).end - 1, granularity);
  }
  return { from, to };
}

/**
 * The answer for one granularity from the method's stored points (concatenated in time order):
 * truncated to the timespan relative to the newest raw point (or, when that is unknown, to the
 * newest stored point), resampled if asked, then cut to `[floor(start), stop)`, where `start` is
 * floored to the (resampled) granularity or calendar period.
 */
export function readAggregate(
  item: ArchivePolicyItem,
  stored: Series,
  options: AggregateReadOptions,
  newest: number | undefined,
): Series {
  const cutoff = newest === undefined ? undefined : retentionCutoff(item, newest);
  const kept =
    newest === undefined ? truncateToTimespan(stored, item.timespan) : sliceSeries(stored, cutoff);
  const { resample, start, stop } = options;
  if (resample === undefined) return fetchRange(kept, item.granularity, start, stop);
  const resampled = resampleSeries(kept, resample, options.method);
  if (typeof resample === 'number') return fetchRange(resampled, resample, start, stop);
  return sliceSeries(
    resampled,
    start === undefined ? undefined : calendarPeriod(start, resample).start,
    stop,
  );
}

/**
 * The policy items of the asked granularities, coarsest first, each once; throws `RangeError` for
 * a granularity the policy lacks.
 */
export function itemsOf(
  policy: ArchivePolicy,
  granularities: readonly number[],
): ArchivePolicyItem[] {
  const items = [...new Set(granularities)].map((granularity) => {
    const item = findArchivePolicyItem(policy, granularity);
    if (item === undefined) {
      throw new RangeError(`archive policy ${policy.name} has no granularity ${granularity} µs`);
    }
    return item;
  });
  return items.sort((a, b) => b.granularity - a.granularity);
}

/** The listed bundles of one granularity that a read needs (see {@link splitKeyRange}), oldest first. */
export function bundlesInRange(
  names: readonly string[],
  item: ArchivePolicyItem,
  options: AggregateReadOptions,
): string[] {
  const { from, to } = splitKeyRange(item, options);
  const keyed: { name: string; key: number }[] = [];
  for (const name of names) {
    const address = parseBundleObjectName(name);
    if (address?.granularity !== item.granularity) continue;
    if (address.key >= from && address.key <= to) keyed.push({ name, key: address.key });
  }
  return keyed.sort((a, b) => a.key - b.key).map(({ name }) => name);
}

/** Series of disjoint, increasing time ranges, one after another. */
export function concatAll(parts: readonly Series[]): Series {
  if (parts.length === 1) return parts[0] as Series;
  const length = parts.reduce((sum, part) => sum + part.timestamps.length, 0);
  const series = { timestamps: new Float64Array(length), values: new Float64Array(length) };
  let at = 0;
  for (const part of parts) {
    series.timestamps.set(part.timestamps, at);
    series.values.set(part.values, at);
    at += part.timestamps.length;
  }
  return series;
}
