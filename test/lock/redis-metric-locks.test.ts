/**
 * Redis locks: the conformance suite, then what only a leased lock does: renewal, owner-only
 * release, validity when Redis is out of reach, and a killed holder's lock freed by its lease.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import { LockUnavailableError, RedisMetricLocks } from '../../src/lock/index.ts';
import { createRedisClient } from '../../src/redis/redis-connection.ts';
import { deleteKeys, privateRedisServer, SHARED_REDIS_URL } from '../support/redis.ts';
import { useSharedRedis } from '../support/shared-redis.ts';
import { runMetricLocksSuite } from './metric-locks.suite.ts';

const CHILD = join(import.meta.dirname, 'support', 'redis-lock-holder-child.ts');

let client: Redis;
const { newPrefix } = useSharedRedis((connected) => (client = connected));

/** Polls `check` every 20 ms until it holds or `timeoutMs` passed; returns whether it held. */
async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await sleep(20);
  return check();
}

runMetricLocksSuite('redis', () => {
  const prefix = newPrefix();
  return Promise.resolve({
    locks: new RedisMetricLocks({ client, prefix }),
    rival: new RedisMetricLocks({ client, prefix }),
    cleanup: () => deleteKeys(client, prefix),
  });
});

describe('RedisMetricLocks', () => {
  it('keeps the key and owner token as the fence', async () => {
    const prefix = newPrefix();
    const metricId = randomUUID();
    const held = await new RedisMetricLocks({ client, prefix }).tryAcquire(metricId);
    assert.ok(held?.fence);
    assert.equal(held.fence.key, `${prefix}lock:${metricId}`);
    assert.match(held.fence.token, /^[0-9a-f]{32}$/);
    assert.equal(await client.get(held.fence.key), held.fence.token);
    await held.release();
    assert.equal(await client.exists(held.fence.key), 0);
  });

  it('holds a lock past several leases by renewing it', async () => {
    const prefix = newPrefix();
    const locks = new RedisMetricLocks({ client, prefix, leaseMs: 300 });
    const metricId = randomUUID();
    const held = await locks.tryAcquire(metricId);
    assert.ok(held);
    await sleep(1_000);
    assert.equal(held.lost, false);
    assert.equal(await locks.tryAcquire(metricId), undefined);
    await held.release();
  });

  it('is lost once another token holds the key, and never deletes that holder', async () => {
    const lostIds: string[] = [];
    const locks = new RedisMetricLocks({
      client,
      prefix: newPrefix(),
      leaseMs: 300,
      onLost: (id) => lostIds.push(id),
    });
    const metricId = randomUUID();
    const held = await locks.tryAcquire(metricId);
    assert.ok(held?.fence);
    await client.set(held.fence.key, 'another-holder', 'PX', 10_000);
    assert.ok(await eventually(() => held.lost), 'the next renewal did not see the takeover');
    await held.release();
    assert.equal(await client.get(held.fence.key), 'another-holder');
    assert.deepEqual(lostIds, [metricId]);
  });

  it('is lost at its deadline when nothing renewed it, on its own clock', async () => {
    let clock = 0;
    const locks = new RedisMetricLocks({
      client,
      prefix: newPrefix(),
      leaseMs: 60_000,
      now: () => clock,
    });
    const held = await locks.tryAcquire(randomUUID());
    assert.ok(held);
    // NOTE: valid until acquisition + lease − lease / 10, however long Redis keeps the key.
    clock = 53_999;
    assert.equal(held.lost, false);
    clock = 54_000;
    assert.equal(held.lost, true);
    clock = 0;
    assert.equal(held.lost, true, 'a lost lock stays lost');
    await held.release();
  });

  it('is lost when Redis stays out of reach for longer than the lease', async () => {
    const server = await privateRedisServer();
    const reports: { id: string; error: Error }[] = [];
    await server.start();
    const privateClient = createRedisClient(server.url);
    try {
      const locks = new RedisMetricLocks({
        client: privateClient,
        leaseMs: 300,
        onLost: (id, error) => reports.push({ id, error }),
      });
      const held = await locks.tryAcquire(randomUUID());
      assert.ok(held);
      await server.stop('SIGKILL');
      assert.ok(await eventually(() => held.lost), 'the lock outlived its lease');
      assert.ok(await eventually(() => reports.length > 0), 'onLost was not called');
      const [report] = reports;
      assert.equal(report?.id, held.metricId);
      assert.ok(report.error instanceof LockUnavailableError);
      await held.release();
    } finally {
      privateClient.disconnect();
      await server.dispose();
    }
  });

  it('frees the lock of a killed holder process after its lease, not before', async () => {
    const prefix = newPrefix();
    const metricId = randomUUID();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, SHARED_REDIS_URL, prefix, metricId, '2000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    assert.equal(line.toString().trim(), 'locked');
    const locks = new RedisMetricLocks({ client, prefix });
    assert.equal(await locks.tryAcquire(metricId), undefined);
    child.kill('SIGKILL');
    await once(child, 'exit');
    // NOTE: the lease was renewed at most 2000 / 3 ms before the kill, so the key still lives.
    assert.equal(await locks.tryAcquire(metricId), undefined);
    assert.ok((await client.pttl(locks.lockKey(metricId))) > 0);
    const taken = await locks.acquire(metricId, 10_000);
    assert.ok(taken);
    await taken.release();
  });
});
