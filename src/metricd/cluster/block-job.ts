/**
 * A block of metrics as a BullMQ job (Redis coordination). Blocks are cut from the waiting metrics
 * of every sack, in sack order, so that a block is large enough for its worker to overlap the I/O
 * of many metrics even when each sack holds few. Job ids are `<epoch>-<n>`: unique across the
 * terms of successive active reporters.
 */

/** The queue every block goes through. */
export const BLOCK_QUEUE_NAME = 'blocks';

/** A job's payload. */
export interface BlockJob {
  readonly metricIds: readonly string[];
  /** The epoch of the reporter that made it, for the logs. */
  readonly epoch: number;
}

/** The id of the `n`-th block handed out by the active reporter of `epoch`. */
export function blockJobId(epoch: number, n: number): string {
  return `${epoch}-${n}`;
}

/** Cuts metrics into blocks of at most `size`. */
export function splitIntoBlocks(metricIds: readonly string[], size: number): string[][] {
  const blocks: string[][] = [];
  const step = Math.max(1, size);
  for (let start = 0; start < metricIds.length; start += step) {
    blocks.push(metricIds.slice(start, start + step));
  }
  return blocks;
}

/** BullMQ's key prefix under Orzo's coordination prefix. */
export function bullPrefix(coordinationPrefix: string): string {
  return `${coordinationPrefix}bull`;
}

/** Whether a value is a block job's payload (jobs come from Redis, so they are checked). */
export function isBlockJob(value: unknown): value is BlockJob {
  if (typeof value !== 'object' || value === null) return false;
  const job = value as Partial<Record<keyof BlockJob, unknown>>;
  return Array.isArray(job.metricIds) && job.metricIds.every((id) => typeof id === 'string');
}
