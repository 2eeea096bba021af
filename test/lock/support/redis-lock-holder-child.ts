/**
 * A child process that takes one metric's Redis lock, prints `locked`, and holds it (renewing its
 * lease) until killed.
 *
 * Usage: node --import tsx redis-lock-holder-child.ts <redisUrl> <prefix> <metricId> <leaseMs>
 */
import { RedisMetricLocks } from '../../../src/lock/redis-metric-locks.ts';
import { createRedisClient } from '../../../src/redis/redis-connection.ts';

const [url, prefix, metricId, leaseMs] = process.argv.slice(2);
if (url === undefined || metricId === undefined) throw new Error('usage: <url> <prefix> <id> <ms>');
const locks = new RedisMetricLocks({
  client: createRedisClient(url),
  ...(prefix === undefined ? {} : { prefix }),
  leaseMs: Number(leaseMs),
});
const lock = await locks.tryAcquire(metricId);
process.stdout.write(lock === undefined ? 'busy\n' : 'locked\n');
// NOTE: renewal timers do not keep a process alive; this does.
setInterval(() => undefined, 60_000);
