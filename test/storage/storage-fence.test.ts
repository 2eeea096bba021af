/**
 * Fenced writes through the storage service: on every backend the fence is checked right before
 * the write, and on Redis its key and token reach the driver, which checks them atomically.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import { seriesOf } from '../../src/carbonara/index.ts';
import { createRedisClient } from '../../src/redis/redis-connection.ts';
import { FencedWriteError } from '../../src/storage/errors.ts';
import { RedisStorageDriver } from '../../src/storage/redis/redis-storage-driver.ts';
import type { StorageDriver } from '../../src/storage/storage-driver.ts';
import { Storage } from '../../src/storage/storage.ts';
import type { WriteFence } from '../../src/storage/write-fence.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';
import { BACKENDS, S, T0, testPolicy, type Backend } from './support/storage-fixtures.ts';

const policy = testPolicy([[S, null]], 0, ['mean']);

/** Measures at `seconds` after T0, each of value 1. */
function at(...seconds: number[]) {
  return seriesOf(
    seconds.map((second) => T0 + second * S),
    seconds.map(() => 1),
  );
}

class LockGone extends Error {}

/** A fence whose lock is held until `lose()`. */
function switchableFence(): WriteFence & { lose(): void } {
  let lost = false;
  return {
    assertHeld: () => {
      if (lost) throw new LockGone();
    },
    lose: () => {
      lost = true;
    },
  };
}

/** Every object of a metric with its bytes, to compare before and after. */
async function snapshot(driver: StorageDriver, metricId: string) {
  const names = (await driver.listObjects(metricId)).sort();
  const bytes = await driver.readObjects(metricId, names);
  return names.map((name, index) => [name, [...(bytes[index] ?? [])]]);
}

for (const maker of BACKENDS) {
  describe(`storage service fencing on ${maker.name}`, () => {
    let backend: Backend;
    before(async () => {
      backend = await maker.make();
    });
    after(async () => {
      await backend.cleanup();
    });

    it('writes nothing once the fence says the lock is lost', async () => {
      const storage = new Storage(backend.driver);
      const metricId = randomUUID();
      const fence = switchableFence();
      await storage.foldMeasures({ metricId, policy, measures: at(0), fence });
      const kept = await snapshot(backend.driver, metricId);
      fence.lose();
      await assert.rejects(
        storage.foldMeasures({ metricId, policy, measures: at(5), fence }),
        LockGone,
      );
      assert.deepEqual(await snapshot(backend.driver, metricId), kept);
      const fresh = randomUUID();
      await assert.rejects(
        storage.foldMeasures({ metricId: fresh, policy, measures: at(0), fence }),
        LockGone,
      );
      assert.deepEqual(await backend.driver.listObjects(fresh), []);
      assert.equal(storage.statistics().metricsProcessed, 1);
    });

    it('checks the fence after every read, right before the write', async () => {
      const calls: string[] = [];
      const { driver } = backend;
      const recording: StorageDriver = {
        init: () => driver.init(),
        readObjects: (id, names) => {
          calls.push('read');
          return driver.readObjects(id, names);
        },
        listObjects: (id) => {
          calls.push('list');
          return driver.listObjects(id);
        },
        updateObjects: (id, update, options) => {
          calls.push('update');
          return driver.updateObjects(id, update, options);
        },
        deleteMetric: (id) => driver.deleteMetric(id),
        close: () => driver.close(),
      };
      const fence = {
        assertHeld: () => {
          calls.push('assertHeld');
        },
      };
      const storage = new Storage(recording);
      const metricId = randomUUID();
      // NOTE: a metric never written has no bundle to read; the second pass reads raw and bundles.
      await storage.foldMeasures({ metricId, policy, measures: at(0), fence });
      assert.deepEqual(calls, ['read', 'assertHeld', 'update']);
      calls.length = 0;
      await storage.foldMeasures({ metricId, policy, measures: at(1), fence });
      assert.deepEqual(calls, ['read', 'read', 'assertHeld', 'update']);
    });
  });
}

describe('storage service fencing on redis, atomically', () => {
  const prefix = randomPrefix();
  let client: Redis;
  let storage: Storage;
  before(async () => {
    client = createRedisClient(SHARED_REDIS_URL);
    await client.ping().catch(async () => {
      await new Promise((resolve) => client.once('ready', resolve));
    });
    storage = new Storage(new RedisStorageDriver({ client, prefix }));
  });
  after(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it('passes the fence key and token down: a lock taken over stops the write', async () => {
    const metricId = randomUUID();
    const key = `${prefix}lock:${metricId}`;
    const fence = { assertHeld: () => undefined, key, token: 'mine' };
    await client.set(key, 'mine');
    await storage.foldMeasures({ metricId, policy, measures: at(0), fence });
    const kept = await snapshot(storage.driver, metricId);
    assert.notDeepEqual(kept, []);
    await client.set(key, 'theirs');
    await assert.rejects(
      storage.foldMeasures({ metricId, policy, measures: at(5), fence }),
      FencedWriteError,
    );
    assert.deepEqual(await snapshot(storage.driver, metricId), kept);
  });

  it('writes unfenced when the fence carries no token', async () => {
    const metricId = randomUUID();
    const fence = { assertHeld: () => undefined, key: `${prefix}lock:${metricId}` };
    await storage.foldMeasures({ metricId, policy, measures: at(0), fence });
    assert.ok((await storage.driver.listObjects(metricId)).includes('raw'));
  });
});
