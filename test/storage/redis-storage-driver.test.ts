import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import { createRedisClient } from '../../src/redis/redis-connection.ts';
import { FencedWriteError, StorageUnavailableError } from '../../src/storage/errors.ts';
import { RedisStorageDriver } from '../../src/storage/redis/redis-storage-driver.ts';
import { freePort } from '../support/free-port.ts';
import { deleteKeys } from '../support/redis.ts';
import { useSharedRedis } from '../support/shared-redis.ts';
import { A, runStorageDriverSuite, tagged } from './storage-driver.suite.ts';

let client: Redis;
const { newPrefix } = useSharedRedis((connected) => (client = connected));

runStorageDriverSuite('redis', () => {
  const prefix = newPrefix();
  const driver = new RedisStorageDriver({ client, prefix });
  return Promise.resolve({ driver, cleanup: () => deleteKeys(client, prefix) });
});

describe('redis storage driver', () => {
  it('keeps one hash per metric whose fields are the objects', async () => {
    const prefix = newPrefix();
    const driver = new RedisStorageDriver({ client, prefix });
    await driver.updateObjects(A, {
      put: new Map([
        ['agg_1000000_0', tagged(2, 3)],
        ['raw', tagged(1, 2)],
      ]),
      remove: [],
    });
    const hash = await client.hgetallBuffer(`${prefix}storage:${A}`);
    assert.deepEqual(Object.keys(hash).sort(), ['agg_1000000_0', 'raw']);
    assert.deepEqual([...(hash.raw ?? [])], [1, 1]);
    await driver.deleteMetric(A);
    assert.equal(await client.exists(`${prefix}storage:${A}`), 0);
  });

  it('fails fast with StorageUnavailableError when Redis cannot be reached', async () => {
    const port = await freePort();
    const unreachable = createRedisClient(`redis://127.0.0.1:${port}`);
    const driver = new RedisStorageDriver({ client: unreachable, closeClients: true });
    const started = Date.now();
    try {
      await assert.rejects(driver.init(), StorageUnavailableError);
      await assert.rejects(driver.readObjects(A, ['raw']), StorageUnavailableError);
      await assert.rejects(
        driver.updateObjects(A, { put: new Map([['raw', tagged(1)]]), remove: [] }),
        StorageUnavailableError,
      );
      assert.ok(Date.now() - started < 5000, 'it did not fail fast');
    } finally {
      await driver.close();
    }
  });

  it('passes request errors through untouched', async () => {
    const prefix = newPrefix();
    const driver = new RedisStorageDriver({ client, prefix });
    await client.set(`${prefix}storage:${A}`, 'not a hash');
    await assert.rejects(driver.listObjects(A), (error: unknown) => {
      return !(error instanceof StorageUnavailableError) && String(error).includes('WRONGTYPE');
    });
    await assert.rejects(
      driver.updateObjects(A, { put: new Map([['raw', tagged(1)]]), remove: [] }),
      (error: unknown) => !(error instanceof StorageUnavailableError),
    );
  });

  describe('fenced updates', () => {
    /** Every byte value, so that binary objects are seen to pass through the script whole. */
    const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);

    async function fencedSetup() {
      const prefix = newPrefix();
      const driver = new RedisStorageDriver({ client, prefix });
      const fence = { key: `${prefix}lock:${A}`, token: 'the-holder' };
      await client.set(fence.key, fence.token);
      await driver.updateObjects(A, {
        put: new Map([
          ['agg_1_0', tagged(1)],
          ['raw', tagged(2)],
        ]),
        remove: [],
      });
      const objects = async () => {
        const hash = await client.hgetallBuffer(`${prefix}storage:${A}`);
        return Object.fromEntries(Object.entries(hash).map(([name, data]) => [name, [...data]]));
      };
      return { driver, fence, objects };
    }

    it('applies a whole update while the fence key holds the token', async () => {
      const { driver, fence, objects } = await fencedSetup();
      const put = new Map([
        ['agg_1_3600', EVERY_BYTE],
        ['raw', Uint8Array.of(0, 0xff, 0xc3, 0x28, 0)],
      ]);
      await driver.updateObjects(A, { put, remove: ['agg_1_0', 'agg_1_7200'] }, { fence });
      assert.deepEqual(await objects(), {
        agg_1_3600: [...EVERY_BYTE],
        raw: [0, 0xff, 0xc3, 0x28, 0],
      });
    });

    it('refuses the whole update when the key holds another token or none', async () => {
      const { driver, fence, objects } = await fencedSetup();
      const before = await objects();
      const update = { put: new Map([['raw', tagged(9)]]), remove: ['agg_1_0'] };
      for (const wrong of [
        { ...fence, token: 'another-holder' },
        { ...fence, key: `${fence.key}x` },
      ]) {
        await assert.rejects(
          driver.updateObjects(A, update, { fence: wrong }),
          (error: unknown) =>
            error instanceof FencedWriteError && error.metricId === A && error.message.includes(A),
        );
      }
      assert.deepEqual(await objects(), before);
    });
  });
});
