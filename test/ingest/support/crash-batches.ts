/** Batches the crash tests write and check: each tag says its metric, size and content. */
import type { NewBatch } from '../../../src/ingest/incoming-driver.ts';
import { encodeMeasureBatch } from '../../../src/ingest/measure-batch-codec.ts';
import type { MeasureBatch } from '../../../src/ingest/measure-batch.ts';
import { sackOfMetric } from '../../../src/ingest/sack.ts';

/** Sacks of the crash tests' backends. */
export const CRASH_TEST_SACKS = 8;

/** The metrics batches go to, by tag. */
export const CRASH_TEST_METRICS = [
  '00000000-0000-0000-0000-00000000000a',
  '00000000-0000-0000-0000-00000000000b',
  '00000000-0000-0000-0000-00000000000c',
] as const;

/** Measures in the batch of a tag: between 1 and 2000, so some batches span many pages. */
export function sizeOfTag(tag: number): number {
  return 1 + ((tag * 7919) % 2000);
}

/** The metric of a tag. */
export function metricOfTag(tag: number): string {
  return CRASH_TEST_METRICS[tag % CRASH_TEST_METRICS.length] as string;
}

/** The batch of a tag: `sizeOfTag(tag)` measures whose values all equal the tag. */
export function crashTestBatch(tag: number): NewBatch {
  const size = sizeOfTag(tag);
  const timestamps = Float64Array.from({ length: size }, (_, i) => i * 1_000_000);
  const values = new Float64Array(size).fill(tag);
  const metricId = metricOfTag(tag);
  return {
    metricId,
    sack: sackOfMetric(metricId, CRASH_TEST_SACKS),
    data: encodeMeasureBatch({ timestamps, values }),
    measures: size,
  };
}

/** The tag of a batch as read back, or an explanation of why it is not a whole batch. */
export function tagOfBatch(batch: MeasureBatch, metricId: string): number | string {
  const tag = batch.values[0];
  if (tag === undefined) return 'empty batch';
  if (metricOfTag(tag) !== metricId) return `tag ${tag} in the wrong metric`;
  if (batch.values.length !== sizeOfTag(tag))
    return `tag ${tag} has ${batch.values.length} measures`;
  if (batch.values.some((value) => value !== tag)) return `tag ${tag} has foreign values`;
  return tag;
}
