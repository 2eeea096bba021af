/**
 * The shared block queue against real Redis: a block id already queued is not added twice, a
 * consumer runs every block once with its concurrency and frees the ids, events follow each
 * block, and the block of a consumer killed mid-run comes back to another one as a rerun.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import { BlockConsumer, type BlockRun } from '../../../src/metricd/cluster/block-consumer.ts';
import {
  BLOCK_QUEUE_NAME,
  bullPrefix,
  type BlockJob,
} from '../../../src/metricd/cluster/block-job.ts';
import {
  BlockQueue,
  type BlockEvent,
  type NewBlock,
} from '../../../src/metricd/cluster/block-queue.ts';
import { createQueueRedisClient, quitRedisClient } from '../../../src/redis/redis-connection.ts';
import { SHARED_REDIS_URL } from '../../support/redis.ts';
import { useSharedRedis } from '../../support/shared-redis.ts';

const CHILD = join(import.meta.dirname, 'support', 'block-consumer-child.ts');

let admin: Redis;
const { newPrefix } = useSharedRedis((connected) => (admin = connected));
/** What the running test opened, closed after it (last opened first). */
let closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** A queue under a fresh prefix, listening to its events, closed after the test. */
async function openQueue(): Promise<{
  prefix: string;
  queue: BlockQueue;
  events: [BlockEvent, string][];
}> {
  const prefix = newPrefix();
  const connection = createQueueRedisClient(SHARED_REDIS_URL);
  const eventsConnection = createQueueRedisClient(SHARED_REDIS_URL);
  const queue = new BlockQueue({ connection, eventsConnection, prefix });
  closers.push(async () => {
    await queue.close();
    await quitRedisClient(eventsConnection);
    await quitRedisClient(connection);
  });
  const events: [BlockEvent, string][] = [];
  queue.onEvent((event, jobId) => events.push([event, jobId]));
  await untilListening(prefix);
  return { prefix, queue, events };
}

/**
 * Waits until the queue's event reader is blocked on the event stream. NOTE: it reads from the
 * stream's end, so events sent before it first blocks would never reach it; BullMQ names that
 * connection `<bull prefix>:<base64 queue name>:qe`.
 */
async function untilListening(prefix: string): Promise<void> {
  const name = `${bullPrefix(prefix)}:${Buffer.from(BLOCK_QUEUE_NAME).toString('base64')}:qe`;
  await until(async () => {
    const clients = (await admin.client('LIST')) as string;
    return clients
      .split('\n')
      .some((line) => line.includes(` name=${name} `) && line.includes(' cmd=xread '));
  }, 'the queue events to be read');
}

/** A consumer on the shared Redis, closed after the test. */
function openConsumer(
  prefix: string,
  options: {
    concurrency: number;
    lockMs: number;
    run: (block: BlockJob, run: BlockRun) => Promise<void>;
  },
): BlockConsumer {
  const connection = createQueueRedisClient(SHARED_REDIS_URL);
  const consumer = new BlockConsumer({ connection, prefix, ...options });
  closers.push(async () => {
    await consumer.close();
    await quitRedisClient(connection);
  });
  return consumer;
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function blocksOf(epoch: number, count: number, size: number): NewBlock[] {
  return Array.from({ length: count }, (_, n) => ({
    jobId: `${epoch}-${n}`,
    metricIds: Array.from({ length: size }, (_, i) => `metric-${epoch}-${n}-${i}`),
  }));
}

describe('BlockQueue', () => {
  it('does not add a block whose id is already queued', async () => {
    const { queue } = await openQueue();
    const blocks = blocksOf(1, 3, 2);
    await queue.add(blocks, 1);
    await queue.add(blocks, 1);
    await queue.add([{ jobId: '1-0', metricIds: ['another'] }], 1);
    assert.deepEqual(await queue.counts(), { waiting: 3, active: 0 });
    assert.deepEqual(
      await queue.queuedBlocks(),
      new Map(blocks.map(({ jobId, metricIds }) => [jobId, metricIds])),
    );
    assert.deepEqual(
      await queue.stillQueued(['1-0', '1-2', '1-3', '2-0']),
      new Set(['1-0', '1-2']),
    );

    await queue.add(blocksOf(2, 2, 1), 2);
    assert.deepEqual(await queue.counts(), { waiting: 5, active: 0 });
  });

  it('adds nothing for no blocks', async () => {
    const { queue } = await openQueue();
    await queue.add([], 1);
    assert.deepEqual(await queue.counts(), { waiting: 0, active: 0 });
    assert.deepEqual(await queue.queuedBlocks(), new Map());
  });

  it('has a consumer run every block once, at its concurrency, and frees the ids', async () => {
    const { prefix, queue, events } = await openQueue();
    const blocks = blocksOf(1, 6, 3);
    await queue.add(blocks, 1);
    const ran: string[] = [];
    const reruns: boolean[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const consumer = openConsumer(prefix, {
      concurrency: 2,
      lockMs: 5_000,
      run: async (block, { rerun }) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        ran.push(...block.metricIds);
        reruns.push(rerun);
        assert.equal(block.epoch, 1);
        await sleep(150);
        inFlight--;
      },
    });

    await until(() => events.length === blocks.length, 'every block to complete');
    assert.deepEqual(ran.sort(), blocks.flatMap(({ metricIds }) => metricIds).sort());
    assert.deepEqual(
      events.sort(),
      blocks.map(({ jobId }): [BlockEvent, string] => ['completed', jobId]).sort(),
    );
    assert.ok(reruns.every((rerun) => !rerun));
    assert.equal(maxInFlight, 2);
    assert.deepEqual(await queue.stillQueued(blocks.map(({ jobId }) => jobId)), new Set());
    assert.deepEqual(await queue.counts(), { waiting: 0, active: 0 });

    await consumer.close();
    await queue.add(blocks, 1);
    assert.deepEqual(await queue.counts(), { waiting: blocks.length, active: 0 });
  });

  it('reports a block whose run threw as failed, and frees its id', async () => {
    const { prefix, queue, events } = await openQueue();
    await queue.add(blocksOf(1, 1, 2), 1);
    openConsumer(prefix, {
      concurrency: 1,
      lockMs: 5_000,
      run: () => Promise.reject(new Error('storage unavailable')),
    });
    await until(() => events.length === 1, 'the block to fail');
    assert.deepEqual(events, [['failed', '1-0']]);
    assert.deepEqual(await queue.stillQueued(['1-0']), new Set());
  });

  it(
    'hands the block of a killed consumer to another one as a rerun',
    { timeout: 60_000 },
    async () => {
      const { prefix, queue, events } = await openQueue();
      const [block] = blocksOf(3, 1, 4);
      await queue.add([block!], 3);
      const lockMs = 1_000;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, SHARED_REDIS_URL, prefix, String(lockMs)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      closers.push(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      });
      const lines = createInterface({ input: child.stdout });
      const [started] = (await once(lines, 'line')) as [string];
      assert.equal(started, `started ${block!.jobId}`);
      assert.deepEqual(await queue.counts(), { waiting: 0, active: 1 });

      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      const runs: { block: BlockJob; run: BlockRun }[] = [];
      openConsumer(prefix, {
        concurrency: 1,
        lockMs,
        run: (taken, run) => {
          runs.push({ block: taken, run });
          return Promise.resolve();
        },
      });

      // NOTE: the lock runs out within lockMs and stalled checks come every lockMs / 2.
      await until(
        () => events.some(([event]) => event === 'completed'),
        'the block to be run again',
        15_000,
      );
      assert.deepEqual(runs, [
        {
          block: { metricIds: block!.metricIds, epoch: 3 },
          run: { jobId: block!.jobId, rerun: true },
        },
      ]);
      assert.deepEqual(events, [
        ['stalled', block!.jobId],
        ['completed', block!.jobId],
      ]);
    },
  );
});
