/**
 * The read step for one granularity, as pure functions: which split bundles a query needs, and
 * how their points become the answer (Gnocchi's `get_aggregated_measures`: concatenate, truncate
 * to the timespan, optionally resample, then keep `[start, stop)`).
 *
 * Which bundles: when the range and the retention bound the split keys to a few, a read asks for
 * each of them by name ({@link bundlesToRead}), a missing one reading as nothing, which spares a
 * listing of the metric's objects; otherwise it lists them and picks those in range
 * ({@link bundlesInRange}). Both give the same answer, because the points an answer keeps lie in
 * bundles keyed from the split of the retention cutoff to the split of the newest raw point:
 * older bundles hold only points past retention (one may stay on disk until the next write
 * expires it), and every bucket comes from raw points, so none is newer than the newest of them.
 * Two exceptions, both after a failure: the raw buffer is written last, so between a crash and
 * the replay of the measures it was to hold a bundle may already have their buckets; and a corrupt
 * raw buffer is replaced by one holding only the measures that come next, which the repair's
 * floors keep from being older than what readable bundles hold (see `damage.ts`), but which may
 * be older than what unreadable ones held. A named read leaves out the splits past the newest raw point's, which a
 * listing would show.
 */
import {
  findArchivePolicyItem,
  type ArchivePolicy,
  type ArchivePolicyItem,
} from '../archive-policy/index.ts';
import {
  calendarPeriod,
  fetchRange,
  nextSplitKey,
  resampleSeries,
  roundTimestamp,
  sliceSeries,
  splitKeyFor,
  truncateToTimespan,
  type CalendarGrouping,
  type Series,
} from '../carbonara/index.ts';
import { bundleObjectName, parseBundleObjectName } from './object-name.ts';
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

/**
 * Split keys of one granularity up to which a read names its bundles rather than listing: each
 * name costs a lookup even when its bundle does not exist. Retention spans at most
 * `ceil(points / 3600) + 1` splits, so this covers every retention up to 54,000 points.
 */
export const MAX_NAMED_SPLITS = 16;

/**
 * The bundles of one granularity that a read needs, by name and oldest first, given the newest
 * raw point: those of {@link splitKeyRange} that retention can keep, whether or not they exist.
 * `undefined` when that is more than {@link MAX_NAMED_SPLITS} (unbounded retention and no
 * `start`, or a long one): only a listing then tells which exist.
 */
export function bundlesToRead(
  item: ArchivePolicyItem,
  options: AggregateReadOptions,
  newest: number,
): string[] | undefined {
  const { granularity } = item;
  const range = splitKeyRange(item, options);
  const cutoff = retentionCutoff(item, newest);
  const oldest = cutoff === undefined ? 0 : splitKeyFor(cutoff, granularity);
  const from = Math.max(range.from, oldest, 0);
  const to = Math.min(range.to, splitKeyFor(newest, granularity));
  const names: string[] = [];
  for (let key = from; key <= to; key = nextSplitKey(key, granularity)) {
    if (names.length === MAX_NAMED_SPLITS) return undefined;
    names.push(bundleObjectName(granularity, key));
  }
  return names;
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
