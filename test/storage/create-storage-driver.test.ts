import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createStorageDriver } from '../../src/storage/create-storage-driver.ts';
import { StorageUnavailableError } from '../../src/storage/errors.ts';
import { FileStorageDriver } from '../../src/storage/file/file-storage-driver.ts';
import { RedisStorageDriver } from '../../src/storage/redis/redis-storage-driver.ts';
import { freePort } from '../support/free-port.ts';
import { randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

describe('createStorageDriver', () => {
  it('makes a file driver for file URLs', async () => {
    const driver = createStorageDriver({
      driver: 'file',
      basePath: '/nonexistent/orzo',
      fsync: true,
    });
    assert.ok(driver instanceof FileStorageDriver);
    await driver.close();
  });

  it('makes a Redis driver that works from its first command and closes its connection', async () => {
    const driver = createStorageDriver({
      driver: 'redis',
      url: SHARED_REDIS_URL,
      prefix: randomPrefix(),
    });
    try {
      assert.ok(driver instanceof RedisStorageDriver);
      await driver.init();
      assert.deepEqual(await driver.listObjects('00000000-0000-0000-0000-000000000001'), []);
    } finally {
      await driver.close();
    }
  });

  it('makes a Redis driver that fails with StorageUnavailableError when unreachable', async () => {
    const driver = createStorageDriver({
      driver: 'redis',
      url: `redis://127.0.0.1:${await freePort()}`,
      prefix: randomPrefix(),
    });
    try {
      await assert.rejects(driver.init(), StorageUnavailableError);
    } finally {
      await driver.close();
    }
  });
});
