import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createStorageDriver, parseStorageUrl } from '../../src/storage/create-storage-driver.ts';
import { StorageUnavailableError } from '../../src/storage/errors.ts';
import { FileStorageDriver } from '../../src/storage/file/file-storage-driver.ts';
import { RedisStorageDriver } from '../../src/storage/redis/redis-storage-driver.ts';
import { freePort } from '../support/free-port.ts';
import { randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

describe('parseStorageUrl', () => {
  it('reads file URLs, relative or absolute', () => {
    assert.deepEqual(parseStorageUrl('file://./data'), {
      driver: 'file',
      basePath: './data',
      fsync: true,
    });
    assert.deepEqual(parseStorageUrl('file:///srv/orzo', { fsync: false }), {
      driver: 'file',
      basePath: '/srv/orzo',
      fsync: false,
    });
  });

  it('reads Redis URLs, taking the prefix from the options, else the URL, else orzo:', () => {
    assert.deepEqual(parseStorageUrl('redis://127.0.0.1:6379/2?prefix=p1:'), {
      driver: 'redis',
      url: 'redis://127.0.0.1:6379/2',
      prefix: 'p1:',
      redisOptions: {},
    });
    const fromOptions = parseStorageUrl('redis://127.0.0.1?prefix=p1:', { redisPrefix: 'p2:' });
    assert.equal(fromOptions.driver === 'redis' && fromOptions.prefix, 'p2:');
    const byDefault = parseStorageUrl('rediss://127.0.0.1');
    assert.equal(byDefault.driver === 'redis' && byDefault.prefix, 'orzo:');
  });

  it('refuses other URLs', () => {
    for (const url of ['s3://bucket', 'file://', './data', 'postgresql://x']) {
      assert.throws(() => parseStorageUrl(url), RangeError, url);
    }
  });
});

describe('createStorageDriver', () => {
  it('makes a file driver for file URLs', async () => {
    const driver = createStorageDriver('file:///nonexistent/orzo');
    assert.ok(driver instanceof FileStorageDriver);
    await driver.close();
  });

  it('makes a Redis driver that works from its first command and closes its connection', async () => {
    const driver = createStorageDriver(SHARED_REDIS_URL, { redisPrefix: randomPrefix() });
    try {
      assert.ok(driver instanceof RedisStorageDriver);
      await driver.init();
      assert.deepEqual(await driver.listObjects('00000000-0000-0000-0000-000000000001'), []);
    } finally {
      await driver.close();
    }
  });

  it('makes a Redis driver that fails with StorageUnavailableError when unreachable', async () => {
    const driver = createStorageDriver(`redis://127.0.0.1:${await freePort()}`);
    try {
      await assert.rejects(driver.init(), StorageUnavailableError);
    } finally {
      await driver.close();
    }
  });
});
