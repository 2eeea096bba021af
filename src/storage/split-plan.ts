/**
 * The write step of processing one metric, as pure functions: which split bundles the new
 * aggregates touch, what goes in them, and which bundles have expired.
 */
import type { ArchivePolicy } from '../archive-policy/index.ts';
import {
  recomputeBuckets,
  emptySeries,
  mergeSeries,
  sliceSeries,
  splitKeyFor,
  splitSeries,
  type Series,
} from '../carbonara/index.ts';
import { bundleObjectName, parseBundleObjectName } from './object-name.ts';
import { retentionCutoff } from './retention-cutoff.ts';

/** The fresh aggregates of one split bundle. */
export interface SplitPlan {
  /** The bundle's object name. */
  readonly name: string;
  readonly granularity: number;
  readonly key: number;
  /** Points older than this (µs) are expired; `undefined` when retention is unbounded. */
  readonly cutoff: number | undefined;
  /** Method → fresh points of this split (methods without any are absent). */
  readonly methods: Map<string, Series>;
}

/**
 * Computes every method at every granularity of `policy` for the buckets from `recomputeFrom` on,
 * drops what is past retention, and cuts the rest into split bundles, finest granularity and
 * oldest key first.
 */
export function planSplits(
  policy: ArchivePolicy,
  merged: Series,
  recomputeFrom: number,
): SplitPlan[] {
  const newest = merged.timestamps[merged.timestamps.length - 1];
  if (newest === undefined) return [];
  const items = [...policy.definition].sort((a, b) => a.granularity - b.granularity);
  const specs = items.flatMap(({ granularity }) =>
    policy.aggregationMethods.map((method) => ({ granularity, method })),
  );
  const aggregates = recomputeBuckets(merged, specs, recomputeFrom);
  const plans = new Map<string, SplitPlan>();
  specs.forEach(({ granularity, method }, index) => {
    const item = items.find((candidate) => candidate.granularity === granularity);
    const cutoff = item === undefined ? undefined : retentionCutoff(item, newest);
    const kept = sliceSeries(aggregates[index] ?? emptySeries(), cutoff);
    for (const { key, series } of splitSeries(kept, granularity)) {
      const name = bundleObjectName(granularity, key);
      let plan = plans.get(name);
      if (plan === undefined) {
        plan = { name, granularity, key, cutoff, methods: new Map() };
        plans.set(name, plan);
      }
      plan.methods.set(method, series);
    }
  });
  return [...plans.values()];
}

/**
 * A bundle's new content: its stored points with the fresh ones merged over them (fresh points
 * replace stored ones at equal timestamps), only for `methods`, without expired points.
 */
export function mergeBundle(
  stored: ReadonlyMap<string, Series>,
  plan: SplitPlan,
  methods: readonly string[],
): Map<string, Series> {
  const result = new Map<string, Series>();
  for (const method of methods) {
    const older = stored.get(method) ?? emptySeries();
    const merged = mergeSeries(older, plan.methods.get(method) ?? emptySeries());
    const kept = sliceSeries(merged, plan.cutoff);
    if (kept.timestamps.length > 0) result.set(method, kept);
  }
  return result;
}

/**
 * Whether expired bundles may exist that a listing would find: the oldest kept split of some
 * granularity moved since the previous state (as Gnocchi lists only when the first block moved
 * into a new split). `previousNewest` is the newest raw point before this step, `undefined` when
 * unknown (corrupt raw buffer), which forces a listing.
 */
export function mayHaveExpiredSplits(
  policy: ArchivePolicy,
  previousNewest: number | undefined,
  newest: number,
): boolean {
  return policy.definition.some((item) => {
    const cutoff = retentionCutoff(item, newest);
    if (cutoff === undefined) return false;
    if (previousNewest === undefined) return true;
    const previous = retentionCutoff(item, previousNewest) ?? cutoff;
    return splitKeyFor(cutoff, item.granularity) > splitKeyFor(previous, item.granularity);
  });
}

/**
 * The listed bundles that hold only expired points: those whose key is below the split key of
 * the oldest point kept at their granularity. The bundle holding that point is kept whole.
 */
export function expiredSplits(
  policy: ArchivePolicy,
  names: readonly string[],
  newest: number,
): string[] {
  const oldestKept = new Map<number, number>();
  for (const item of policy.definition) {
    const cutoff = retentionCutoff(item, newest);
    if (cutoff !== undefined)
      oldestKept.set(item.granularity, splitKeyFor(cutoff, item.granularity));
  }
  return names.filter((name) => {
    const address = parseBundleObjectName(name);
    if (address === undefined) return false;
    const keep = oldestKept.get(address.granularity);
    return keep !== undefined && address.key < keep;
  });
}
