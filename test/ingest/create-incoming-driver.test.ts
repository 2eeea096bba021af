import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createIncomingDriver, parseIncomingUrl } from '../../src/ingest/create-incoming-driver.ts';
import { FileIncomingDriver } from '../../src/ingest/file/file-incoming-driver.ts';
import { createIncomingRedisClient } from '../../src/ingest/redis/redis-connection.ts';
import { RedisIncomingDriver } from '../../src/ingest/redis/redis-incoming-driver.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';
import { taggedBatch } from './incoming-driver.suite.ts';

describe('parseIncomingUrl', () => {
  it('reads file URLs, relative or absolute', () => {
    assert.deepEqual(parseIncomingUrl('file://./data'), {
      driver: 'file',
      basePath: './data',
      fsync: true,
    });
    assert.deepEqual(parseIncomingUrl('file:///srv/orzo', { fsync: false }), {
      driver: 'file',
      basePath: '/srv/orzo',
      fsync: false,
    });
  });

  it('reads Redis URLs, taking the prefix from the options, else the URL, else orzo:', () => {
    const fromUrl = parseIncomingUrl('redis://127.0.0.1:6379/2?prefix=p1:');
    assert.deepEqual(fromUrl, {
      driver: 'redis',
      url: 'redis://127.0.0.1:6379/2',
      prefix: 'p1:',
      redisOptions: {},
    });
    const fromOptions = parseIncomingUrl('redis://127.0.0.1?prefix=p1:', { redisPrefix: 'p2:' });
    assert.equal(fromOptions.driver === 'redis' && fromOptions.prefix, 'p2:');
    const byDefault = parseIncomingUrl('rediss://127.0.0.1');
    assert.equal(byDefault.driver === 'redis' && byDefault.prefix, 'orzo:');
  });

  it('refuses other URLs', () => {
    for (const url of ['s3://bucket', 'file://', './data', 'postgresql://x']) {
      assert.throws(() => parseIncomingUrl(url), RangeError, url);
    }
  });
});

describe('createIncomingDriver', () => {
  it('makes a file driver for file URLs', async () => {
    const driver = createIncomingDriver('file:///nonexistent/orzo');
    assert.ok(driver instanceof FileIncomingDriver);
    await driver.close();
  });

  it('makes a Redis driver that notifies and closes the connections it opened', async () => {
    const prefix = randomPrefix();
    const driver = createIncomingDriver(SHARED_REDIS_URL, { redisPrefix: prefix });
    const admin = createIncomingRedisClient(SHARED_REDIS_URL);
    try {
      assert.ok(driver instanceof RedisIncomingDriver);
      await waitReady(driver);
      await driver.setSackCount(4);
      const batch = taggedBatch('00000000-0000-0000-0000-000000000002', 1);
      let hear: (sack: number) => void = () => undefined;
      const heard = new Promise<number>((resolve) => (hear = resolve));
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
