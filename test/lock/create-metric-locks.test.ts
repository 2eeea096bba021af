import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import { parseCoordinationUrl } from '../../src/config/index.ts';
import { createMetricLocks, FileMetricLocks, RedisMetricLocks } from '../../src/lock/index.ts';
import { createRedisClient } from '../../src/redis/redis-connection.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

describe('createMetricLocks', () => {
  const prefix = randomPrefix();
  let client: Redis;
  before(async () => {
    client = createRedisClient(SHARED_REDIS_URL);
    await client.ping().catch(async () => {
      await new Promise((resolve) => client.once('ready', resolve));
    });
  });
  after(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it('makes lock folders for local coordination', async () => {
    const locks = createMetricLocks({ kind: 'local' }, { dataDir: tmpdir() });
    assert.ok(locks instanceof FileMetricLocks);
    await locks.close();
  });

  it('makes Redis locks under the URL prefix, owning their connection', async () => {
    const url = `${SHARED_REDIS_URL}/0?prefix=${encodeURIComponent(prefix)}`;
    const locks = createMetricLocks(parseCoordinationUrl(url), {
      dataDir: tmpdir(),
      leaseMs: 1_000,
    });
    assert.ok(locks instanceof RedisMetricLocks);
    const metricId = randomUUID();
    assert.equal(locks.lockKey(metricId), `${prefix}lock:${metricId}`);
    const held = await locks.tryAcquire(metricId);
    assert.ok(held);
    assert.equal(held.fence?.key, `${prefix}lock:${metricId}`);
    await held.release();
    await locks.close();
  });
});
