/**
 * A worker process's side of the shared block queue (BullMQ): takes blocks with a configured
 * concurrency and runs each. BullMQ holds a lock on every running block and renews it; when the
 * worker dies the lock runs out, BullMQ's stalled-job check puts the block back, and another
 * worker runs it again (`rerun`), which per-metric locks and recomputation make safe.
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import { BLOCK_QUEUE_NAME, bullPrefix, isBlockJob, type BlockJob } from './block-job.ts';

/** How a block ran before this run. */
export interface BlockRun {
  readonly jobId: string;
  /** The block was put back after its worker died (or lost its lock). */
  readonly rerun: boolean;
}

/** Options of {@link BlockConsumer}. */
export interface BlockConsumerOptions {
  /** Kept open by the caller; BullMQ makes its own copy for blocking reads. */
  readonly connection: Redis;
  /** Orzo's coordination prefix. */
  readonly prefix: string;
  /** Blocks run at once. */
  readonly concurrency: number;
  /** BullMQ's lock on a running block. */
  readonly lockMs: number;
  readonly run: (block: BlockJob, run: BlockRun) => Promise<void>;
  readonly onError?: (error: Error) => void;
}

/** Times a block may be found stalled before BullMQ gives up on it (its metrics are listed again). */
const MAX_STALLED = 5;

/** Takes blocks from the shared queue. */
export class BlockConsumer {
  readonly #worker: Worker<BlockJob>;

  constructor(options: BlockConsumerOptions) {
    this.#worker = new Worker<BlockJob>(
      BLOCK_QUEUE_NAME,
      async (job) => {
        if (!isBlockJob(job.data)) throw new TypeError(`job ${job.id ?? '?'} is not a block`);
        await options.run(job.data, { jobId: job.id ?? '', rerun: job.stalledCounter > 0 });
      },
      {
        connection: options.connection,
        prefix: bullPrefix(options.prefix),
        concurrency: options.concurrency,
        lockDuration: options.lockMs,
        // NOTE: a dead worker's block comes back between one and one and a half lock lengths.
        stalledInterval: Math.max(500, Math.round(options.lockMs / 2)),
        maxStalledCount: MAX_STALLED,
      },
    );
    this.#worker.on('error', (error) => options.onError?.(error));
  }

  /** Stops taking blocks and waits for the running ones to finish. */
  async close(): Promise<void> {
    await this.#worker.close();
  }
}
