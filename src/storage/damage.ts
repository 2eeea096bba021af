/**
 * What processing does about a stored object that fails to decode, as pure functions. Gnocchi
 * replaces such an object by an empty series and carries on, so that new measures then overwrite
 * good aggregates with ones computed from part of their points. Orzo instead:
 * - keeps the damaged bytes aside under a quarantine name (named by their checksum, so a replay
 *   keeps them once);
 * - for a damaged raw buffer, takes from the stored aggregates how far each granularity had got,
 *   and protects every bucket up to there: those buckets are never recomputed, and measures too
 *   old for any unprotected bucket are dropped (see `raw-buffer.ts` for how the floors persist);
 * - for a damaged split bundle, recomputes the buckets the raw buffer still holds every point of,
 *   and says which earlier ones are lost.
 */
import type { ArchivePolicy } from '../archive-policy/index.ts';
import {
  roundTimestamp,
  sliceSeries,
  xxHash32,
  type BoundTimeSerie,
  type Series,
} from '../carbonara/index.ts';
import { parseBundleObjectName } from './object-name.ts';
import type { RawBuffer, RawFloors } from './raw-buffer.ts';
import { planSplits, type SplitPlan } from './split-plan.ts';

/** What was found damaged and what was done about it. */
export interface StorageDamage {
  /** The object that failed to decode. */
  readonly object: string;
  /** Where its bytes were kept; absent when found by a read, which writes nothing. */
  readonly keptAs?: string;
  /** What was rebuilt, or what is missing from the answer of a read. */
  readonly detail: string;
}

const QUARANTINE_PREFIX = 'quarantine.';

/** The name the damaged bytes of `object` are kept under. */
export function quarantineName(object: string, bytes: Uint8Array): string {
  return `${QUARANTINE_PREFIX}${object}.${xxHash32(bytes).toString(16).padStart(8, '0')}`;
}

/** Whether an object name is a kept-aside damaged object. */
export function isQuarantineName(name: string): boolean {
  return name.startsWith(QUARANTINE_PREFIX);
}

/**
 * The floors that protect the buckets a lost raw buffer fed: for each granularity, the bucket
 * after the newest stored one (`newest` maps granularity → newest stored bucket start).
 */
export function floorsAfter(newest: ReadonlyMap<number, number>): RawFloors {
  return new Map([...newest].map(([granularity, ts]) => [granularity, ts + granularity]));
}

/** The oldest floor: measures before it can feed no unprotected bucket. */
export function lowestFloor(floors: RawFloors): number | undefined {
  return floors.size === 0 ? undefined : Math.min(...floors.values());
}

/** The floors still needed once the buffer keeps its points from `firstBlock` on. */
export function floorsStillNeeded(floors: RawFloors, firstBlock: number | undefined): RawFloors {
  if (floors.size === 0 || firstBlock === undefined) return floors;
  return new Map([...floors].filter(([, floor]) => floor > firstBlock));
}

/** The plans without the buckets their granularity's floor protects (plans left empty go). */
export function withoutProtectedBuckets(plans: SplitPlan[], floors: RawFloors): SplitPlan[] {
  if (floors.size === 0) return plans;
  return plans.flatMap((plan) => {
    const floor = floors.get(plan.granularity);
    if (floor === undefined) return [plan];
    const methods = new Map<string, Series>();
    for (const [method, series] of plan.methods) {
      const kept = sliceSeries(series, floor);
      if (kept.timestamps.length > 0) methods.set(method, kept);
    }
    return methods.size === 0 ? [] : [{ ...plan, methods }];
  });
}

/**
 * The first bucket of `granularity` whose every point the buffer holds, given that it holds all
 * points from `coveredFrom` on (`undefined`: from the beginning).
 */
export function firstWholeBucket(coveredFrom: number | undefined, granularity: number): number {
  if (coveredFrom === undefined) return -Infinity;
  const bucket = roundTimestamp(coveredFrom, granularity);
  return bucket === coveredFrom ? bucket : bucket + granularity;
}

/**
 * From where the buffer holds every point ever accepted (`undefined`: all of them): the previous
 * buffer's first kept block, not before the floors; after a damaged buffer, the repair's floors
 * (every lost point lies below them), or else the first point that came after it. `hadRaw`: a
 * buffer was stored; `raw`: it decoded; `bound`: the buffer before this pass; `floors`: those in
 * force; `merged`: the buffer's points and the new ones.
 */
export function coveredFrom(
  hadRaw: boolean,
  raw: RawBuffer | undefined,
  bound: BoundTimeSerie,
  floors: RawFloors,
  merged: Series,
): number | undefined {
  if (!hadRaw) return undefined;
  const floor = lowestFloor(floors);
  if (raw === undefined) return floor ?? merged.timestamps[0];
  const first = bound.firstBlockTimestamp();
  if (first === undefined || floor === undefined) return first ?? floor;
  return Math.max(first, floor);
}

/** What a damaged bundle can be rebuilt from. */
export interface BundleRebuild {
  /** Whether the metric had a raw buffer (else no bundle was ever fully written). */
  readonly hasBundles: boolean;
  /** Every point the buffer holds, the new ones merged in. */
  readonly merged: Series;
  readonly floors: RawFloors;
  /** The buffer holds every point from here on; `undefined`: every point ever accepted. */
  readonly coveredFrom: number | undefined;
}

/** A damaged bundle's methods recomputed from the raw points, and what that recovered. */
export function rebuiltBundle(
  policy: ArchivePolicy,
  plan: SplitPlan,
  rebuild: BundleRebuild,
): { methods: Map<string, Series>; detail: string } {
  const from = Math.max(
    plan.key,
    firstWholeBucket(rebuild.coveredFrom, plan.granularity),
    rebuild.floors.get(plan.granularity) ?? -Infinity,
  );
  const again = planSplits(policy, rebuild.merged, from).filter(({ name }) => name === plan.name);
  const [rebuilt] = withoutProtectedBuckets(again, rebuild.floors);
  const detail =
    from > plan.key
      ? `rebuilt from the raw buffer from ${isoOf(from)}; its buckets before that are lost`
      : 'rebuilt whole from the raw buffer';
  return { methods: rebuilt?.methods ?? new Map<string, Series>(), detail };
}

/** The bundles of one granularity among `names`, newest split first. */
export function bundlesNewestFirst(names: readonly string[], granularity: number): string[] {
  return names
    .map((name) => ({ name, address: parseBundleObjectName(name) }))
    .filter(({ address }) => address?.granularity === granularity)
    .sort((a, b) => (b.address?.key ?? 0) - (a.address?.key ?? 0))
    .map(({ name }) => name);
}

/** An ISO time for a µs timestamp, for messages. */
export function isoOf(ts: number): string {
  return new Date(Math.floor(ts / 1000)).toISOString();
}

/** Says what floors protect, for the log and `/v1/status`. */
export function describeFloors(floors: RawFloors): string {
  if (floors.size === 0) {
    return 'raw buffer replaced by an empty one; no stored aggregate was readable to protect';
  }
  const parts = [...floors]
    .sort(([a], [b]) => a - b)
    .map(([granularity, floor]) => `${granularity / 1e6}s before ${isoOf(floor)}`);
  return `raw buffer replaced; the stored buckets it fed are kept as they are (${parts.join(', ')}) and measures older than ${isoOf(Math.min(...floors.values()))} are dropped`;
}
