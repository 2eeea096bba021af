import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createIncomingDriver } from '../../src/ingest/create-incoming-driver.ts';
import { FileIncomingDriver } from '../../src/ingest/file/file-incoming-driver.ts';
import { createIncomingRedisClient } from '../../src/ingest/redis/redis-connection.ts';
import { RedisIncomingDriver } from '../../src/ingest/redis/redis-incoming-driver.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';
import { taggedBatch } from './incoming-driver.suite.ts';

describe('createIncomingDriver', () => {
  it('makes a file driver for file URLs', async () => {
    const driver = createIncomingDriver({
      driver: 'file',
      basePath: '/nonexistent/orzo',
      fsync: true,
    });
    assert.ok(driver instanceof FileIncomingDriver);
    await driver.close();
  });

  it('makes a Redis driver that notifies and closes the connections it opened', async () => {
    const prefix = randomPrefix();
    const driver = createIncomingDriver({ driver: 'redis', url: SHARED_REDIS_URL, prefix });
    const admin = createIncomingRedisClient(SHARED_REDIS_URL);
    try {
      assert.ok(driver instanceof RedisIncomingDriver);
      await waitReady(driver);
      await driver.setSackCount(4);
      const batch = taggedBatch('00000000-0000-0000-0000-000000000002', 1);
      let hear: (sack: number | undefined) => void = () => undefined;
      const heard = new Promise<number | undefined>((resolve) => (hear = resolve));
      const unsubscribe = await driver.subscribe((sack) => {
        hear(sack);
      });
      await driver.addBatches([batch]);
      assert.equal(await heard, batch.sack.number);
      await unsubscribe();
    } finally {
      await driver.close();
      await waitReady(admin);
      await deleteKeys(admin, prefix);
      await admin.quit();
    }
  });
});

async function waitReady(
  target: RedisIncomingDriver | ReturnType<typeof createIncomingRedisClient>,
) {
  for (;;) {
    try {
      if (target instanceof RedisIncomingDriver) await target.getSackCount();
      else await target.ping();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
