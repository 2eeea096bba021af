/**
 * A child process that takes blocks from the shared queue, prints `started <jobId>` when a block
 * starts, and never finishes it: it holds (and renews) the block's lock until killed.
 *
 * Usage: node --import tsx block-consumer-child.ts <redisUrl> <prefix> <lockMs>
 */
import { BlockConsumer } from '../../../../src/metricd/cluster/block-consumer.ts';
import { createQueueRedisClient } from '../../../../src/redis/redis-connection.ts';

const [url, prefix, lockMs] = process.argv.slice(2);
if (url === undefined || prefix === undefined || lockMs === undefined) {
  throw new Error('usage: <redisUrl> <prefix> <lockMs>');
}
new BlockConsumer({
  connection: createQueueRedisClient(url),
  prefix,
  concurrency: 1,
  lockMs: Number(lockMs),
  run: async (_block, { jobId }) => {
    process.stdout.write(`started ${jobId}\n`);
    await new Promise<never>(() => undefined);
  },
});
// NOTE: a promise that never settles does not keep a process alive; this does.
setInterval(() => undefined, 60_000);
