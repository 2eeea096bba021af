/**
 * Sacks: the fixed partition of incoming measures that metricd workers take turns on.
 *
 * `sackNumberOfMetric(id, n)` is Gnocchi's `metric_uuid_as_128bit_int % n`, and the sack name is its
 * `incoming{n}-{i}` (e.g. `incoming128-17`), so the same metric lands in the same sack in Gnocchi
 * and here. The count is fixed by `orzo upgrade --sacks N` and stored in the incoming backend.
 */
import { isDashedUuid } from '../grammar/index.ts';

/** Fewest sacks. */
export const MIN_SACKS = 1;
/** Most sacks (Gnocchi's limit). */
export const MAX_SACKS = 65_535;
/** Sacks created when none are asked for (Gnocchi's default). */
export const DEFAULT_SACKS = 128;

/** One sack of a given partition. */
export interface Sack {
  /** `0 <= number < total`. */
  readonly number: number;
  /** The number of sacks of the partition. */
  readonly total: number;
}

/** Offsets of the eight 4-hex-digit groups of a dashed UUID, most significant first. */
const GROUP_OFFSETS = [0, 4, 9, 14, 19, 24, 28, 32] as const;

/** Throws unless `total` is a whole number of sacks Gnocchi allows. */
export function assertSackCount(total: number): void {
  if (!Number.isInteger(total) || total < MIN_SACKS || total > MAX_SACKS) {
    throw new RangeError(`the number of sacks must be an integer in [${MIN_SACKS}, ${MAX_SACKS}]`);
  }
}

/** The sack number of a metric: its dashed UUID as a 128-bit integer, modulo `total`. */
export function sackNumberOfMetric(metricId: string, total: number): number {
  assertSackCount(total);
  if (!isDashedUuid(metricId)) throw new RangeError(`not a dashed UUID: ${metricId}`);
  // NOTE: Horner's rule on 16-bit groups: the remainder stays below 2^16 and each step below
  // 2^32, so every intermediate is an exact double and no BigInt is needed.
  let remainder = 0;
  for (const offset of GROUP_OFFSETS) {
    const group = parseInt(metricId.slice(offset, offset + 4), 16);
    remainder = (remainder * 65_536 + group) % total;
  }
  return remainder;
}

/** The sack of a metric. */
export function sackOfMetric(metricId: string, total: number): Sack {
  return { number: sackNumberOfMetric(metricId, total), total };
}

/** Gnocchi's sack name, `incoming{total}-{number}`. */
export function sackName(sack: Sack): string {
  return `incoming${sack.total}-${sack.number}`;
}

/** Every sack of a partition, in order. */
export function allSacks(total: number): Sack[] {
  assertSackCount(total);
  return Array.from({ length: total }, (_, number) => ({ number, total }));
}
