/**
 * The reporter's side of the shared block queue (BullMQ): adds blocks, finds which are still
 * queued or running, counts them, and follows what happens to them. Jobs are removed once
 * completed or failed; the metrics of a failed block are still waiting in incoming, so the next
 * scan hands them out again.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

import { BLOCK_QUEUE_NAME, bullPrefix, isBlockJob, type BlockJob } from './block-job.ts';

/** Options of {@link BlockQueue}. */
export interface BlockQueueOptions {
  /** For commands; kept open by the caller. */
  readonly connection: Redis;
  /** For the event stream (a blocking read); kept open by the caller. */
  readonly eventsConnection: Redis;
  /** Orzo's coordination prefix. */
  readonly prefix: string;
}

/** What happened to a block. */
export type BlockEvent = 'completed' | 'failed' | 'stalled';

/** A block to add. */
export interface NewBlock {
  readonly jobId: string;
  readonly metricIds: readonly string[];
}

/** Jobs listed at once when reading the queue's blocks back. */
const LIST_PAGE = 500;

/** The queue of blocks. */
export class BlockQueue {
  readonly #queue: Queue<BlockJob>;
  readonly #events: QueueEvents;

  constructor(options: BlockQueueOptions) {
    const prefix = bullPrefix(options.prefix);
    this.#queue = new Queue<BlockJob>(BLOCK_QUEUE_NAME, { connection: options.connection, prefix });
    this.#events = new QueueEvents(BLOCK_QUEUE_NAME, {
      connection: options.eventsConnection,
      prefix,
    });
    // NOTE: connection errors are retried by ioredis; the caller learns of them through its own
    // commands failing.
    this.#queue.on('error', () => undefined);
    this.#events.on('error', () => undefined);
  }

  /** Adds blocks; a block whose id is already queued or running is not added twice. */
  async add(blocks: readonly NewBlock[], epoch: number): Promise<void> {
    if (blocks.length === 0) return;
    await this.#queue.addBulk(
      blocks.map(({ jobId, metricIds }) => ({
        name: 'block',
        data: { metricIds, epoch },
        opts: { jobId, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }

  /** Of `jobIds`, those still queued or running. */
  async stillQueued(jobIds: Iterable<string>): Promise<Set<string>> {
    const ids = [...jobIds];
    const jobs = await Promise.all(ids.map((id) => this.#queue.getJob(id)));
    return new Set(ids.filter((_, i) => jobs[i] !== undefined));
  }

  /** Every block queued or running, by job id (a new active reporter starts from them). */
  async queuedBlocks(): Promise<Map<string, readonly string[]>> {
    const blocks = new Map<string, readonly string[]>();
    for (let start = 0; ; start += LIST_PAGE) {
      const jobs = await this.#queue.getJobs(
        ['waiting', 'active', 'prioritized', 'delayed'],
        start,
        start + LIST_PAGE - 1,
      );
      for (const job of jobs) {
        if (job.id !== undefined && isBlockJob(job.data)) blocks.set(job.id, job.data.metricIds);
      }
      if (jobs.length < LIST_PAGE) return blocks;
    }
  }

  /** Blocks waiting and running. */
  async counts(): Promise<{ waiting: number; active: number }> {
    const counts = await this.#queue.getJobCounts('waiting', 'active', 'prioritized');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
    };
  }

  /** Calls `listener` for every block completed, failed, or found stalled. */
  onEvent(listener: (event: BlockEvent, jobId: string) => void): void {
    for (const event of ['completed', 'failed', 'stalled'] as const) {
      this.#events.on(event, ({ jobId }: { jobId: string }) => {
        listener(event, jobId);
      });
    }
  }

  async close(): Promise<void> {
    await this.#events.close();
    await this.#queue.close();
  }
}
