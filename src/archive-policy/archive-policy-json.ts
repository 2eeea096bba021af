/**
 * Archive policies to and from JSON.
 *
 * - The API shape is Gnocchi's: durations as Python `str(timedelta)` strings, snake_case keys, and
 *   keys in Gnocchi's order (`timespan`, `granularity`, `points` within an item).
 * - The stored shape is the {@link ArchivePolicy} value itself, durations as integer microseconds
 *   (exact, unlike Gnocchi's float seconds); {@link restoreArchivePolicy} checks it on the way back.
 */
import { isAggregationMethod } from '../carbonara/aggregation-method.ts';
import type { ArchivePolicyItem } from './archive-policy-item.ts';
import type { ArchivePolicy } from './archive-policy.ts';
import { InvalidArchivePolicyError } from './errors.ts';
import { formatTimedelta } from '../grammar/index.ts';

/** One definition item as the API shows it. */
export interface ArchivePolicyItemJson {
  readonly timespan: string | null;
  readonly granularity: string;
  readonly points: number | null;
}

/** An archive policy as the API shows it. */
export interface ArchivePolicyJson {
  readonly name: string;
  readonly back_window: number;
  readonly definition: readonly ArchivePolicyItemJson[];
  readonly aggregation_methods: readonly string[];
}

/** The API representation of an archive policy. */
export function archivePolicyToJson(policy: ArchivePolicy): ArchivePolicyJson {
  return {
    name: policy.name,
    back_window: policy.backWindow,
    definition: policy.definition.map(archivePolicyItemToJson),
    aggregation_methods: [...policy.aggregationMethods],
  };
}

/** The API representation of one definition item. */
export function archivePolicyItemToJson(item: ArchivePolicyItem): ArchivePolicyItemJson {
  return {
    timespan: item.timespan === null ? null : formatTimedelta(item.timespan),
    granularity: formatTimedelta(item.granularity),
    points: item.points,
  };
}

/**
 * An archive policy read back from storage (a JSON round trip of an {@link ArchivePolicy}),
 * checked so that a corrupt record fails here rather than deep in the engine.
 */
export function restoreArchivePolicy(stored: unknown): ArchivePolicy {
  const record = (typeof stored === 'object' && stored !== null ? stored : {}) as Partial<
    Record<keyof ArchivePolicy, unknown>
  >;
  const { name, backWindow, definition, aggregationMethods } = record;
  if (
    typeof name !== 'string' ||
    !isCount(backWindow, 0) ||
    !Array.isArray(definition) ||
    definition.length === 0 ||
    !Array.isArray(aggregationMethods) ||
    !aggregationMethods.every(isKnownMethod)
  ) {
    throw new InvalidArchivePolicyError('Stored archive policy is corrupt');
  }
  return Object.freeze({
    name,
    backWindow,
    definition: Object.freeze(definition.map((item) => restoreItem(item, name))),
    aggregationMethods: Object.freeze([...aggregationMethods]),
  });
}

function restoreItem(stored: unknown, name: string): ArchivePolicyItem {
  const { granularity, points, timespan } = (stored ?? {}) as Partial<
    Record<keyof ArchivePolicyItem, unknown>
  >;
  if (isCount(granularity, 1)) {
    if (points === null && timespan === null) {
      return Object.freeze({ granularity, points: null, timespan: null });
    }
    if (isCount(points, 1) && timespan === granularity * points) {
      return Object.freeze({ granularity, points, timespan: granularity * points });
    }
  }
  throw new InvalidArchivePolicyError(`Stored archive policy ${name} has a corrupt item`);
}

function isKnownMethod(value: unknown): value is string {
  return typeof value === 'string' && isAggregationMethod(value);
}

function isCount(value: unknown, minimum: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum;
}
