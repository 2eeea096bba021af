import type { ArchivePolicyItem } from '../archive-policy/index.ts';
import { roundTimestamp } from '../carbonara/index.ts';

/**
 * The oldest timestamp (µs) an aggregate of `item` keeps, given the newest raw point of the
 * metric; `undefined` when retention is unbounded. Retention is relative to the data, never to the
 * clock: with N the newest bucket of the granularity, buckets with `ts > N − timespan` are kept,
 * which is exactly `points` buckets. It applies to every method alike, so that all methods of one
 * granularity expire together and a split bundle is deleted whole.
 */
export function retentionCutoff(item: ArchivePolicyItem, newest: number): number | undefined {
  if (item.timespan === null) return undefined;
  return roundTimestamp(newest, item.granularity) - item.timespan + 1;
}
