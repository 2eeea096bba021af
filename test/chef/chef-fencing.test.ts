/**
 * The chef when a metric's lock is lost while it works (real embedded backends, SQLite in memory,
 * file incoming): storage is not written once the loss is known, the batches read are never
 * deleted, and the failure is counted. On Redis, with storage and locks on one server, the fence
 * is also checked atomically with the write.
 */
import { parseIndexerUrl } from '../../src/config/index.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import { createArchivePolicy } from '../../src/archive-policy/index.ts';
import { Chef, type ChefDeps } from '../../src/chef/index.ts';
import type { Logger } from '../../src/log/logger.ts';
import { createIndexer, type Indexer } from '../../src/indexer/index.ts';
import { FileIncomingDriver, Incoming } from '../../src/ingest/index.ts';
import { RedisMetricLocks, type MetricLocks } from '../../src/lock/index.ts';
import { createRedisClient } from '../../src/redis/redis-connection.ts';
import {
  FileStorageDriver,
  RedisStorageDriver,
  Storage,
  type StorageDriver,
} from '../../src/storage/index.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const METHODS = ['mean', 'sum'];

/** A logger that keeps the messages it was told. */
function recordingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  const log = (_fields: object, message: string) => {
    messages.push(message);
  };
  return { messages, info: log, warn: log, error: log };
}

/** Locks that are always granted, and all lost once `state.lost` is set. */
function switchableLocks(state: { lost: boolean }): MetricLocks {
  const grant = (metricId: string) =>
    Promise.resolve({
      metricId,
      get lost() {
        return state.lost;
      },
      release: () => Promise.resolve(),
    });
  return { tryAcquire: grant, acquire: grant, close: () => Promise.resolve() };
}

/** A driver that runs `beforeUpdate` and `afterUpdate` around each of its writes. */
function hookedDriver(
  driver: StorageDriver,
  hooks: { beforeUpdate?: () => Promise<unknown>; afterUpdate?: () => void },
): StorageDriver {
  return {
    init: () => driver.init(),
    readObjects: (id, names) => driver.readObjects(id, names),
    listObjects: (id) => driver.listObjects(id),
    updateObjects: async (id, update, options) => {
      await hooks.beforeUpdate?.();
      await driver.updateObjects(id, update, options);
      hooks.afterUpdate?.();
    },
    deleteMetric: (id) => driver.deleteMetric(id),
    close: () => driver.close(),
  };
}

describe('Chef when a lock is lost', () => {
  const base = mkdtempSync(join(tmpdir(), 'orzo-chef-fencing-'));
  const policy = createArchivePolicy(
    { name: 'p', aggregation_methods: METHODS, definition: [{ granularity: 60, points: 60 }] },
    { defaultAggregationMethods: METHODS },
  );
  let indexer: Indexer;
  let incoming: Incoming;
  let files: FileStorageDriver;
  let logger: ReturnType<typeof recordingLogger>;
  let redis: Redis;
  const prefix = randomPrefix();

  before(async () => {
    indexer = createIndexer(parseIndexerUrl('sqlite::memory:'));
    await indexer.upgrade();
    await indexer.createArchivePolicy(policy);
    incoming = new Incoming(new FileIncomingDriver({ basePath: base, fsync: false }));
    await incoming.upgrade(4);
    files = new FileStorageDriver({ basePath: base, fsync: false });
    await files.init();
    redis = createRedisClient(SHARED_REDIS_URL);
    await redis.ping().catch(async () => {
      await new Promise((resolve) => redis.once('ready', resolve));
    });
  });

  beforeEach(() => {
    logger = recordingLogger();
  });

  after(async () => {
    await indexer.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
    rmSync(base, { recursive: true, force: true });
  });

  /** A metric of policy `p` with one waiting batch. */
  async function waitingMetric(): Promise<string> {
    const metric = await indexer.createMetric({
      id: randomUUID(),
      archivePolicyName: 'p',
      creator: 'admin',
      name: null,
      unit: null,
      resourceId: null,
    });
    await incoming.enqueueMeasures(metric.id, {
      timestamps: Float64Array.of(T0),
      values: Float64Array.of(1),
    });
    return metric.id;
  }

  function chef(deps: Pick<ChefDeps, 'storage' | 'locks'> & Partial<ChefDeps>): Chef {
    return new Chef({ indexer, incoming, logger, concurrency: 16, ...deps });
  }

  async function waiting(metricId: string): Promise<number> {
    return (await incoming.readPending(metricId)).handles.length;
  }

  it('writes nothing and keeps the batches when the lock is lost before the write', async () => {
    const metricId = await waitingMetric();
    const locks = switchableLocks({ lost: true });
    const figures = await chef({ storage: new Storage(files), locks }).processMetrics([metricId]);
    assert.equal(figures.errors, 1);
    assert.equal(figures.metricsProcessed, 0);
    assert.deepEqual(await files.listObjects(metricId), []);
    assert.equal(await waiting(metricId), 1);
    assert.ok(logger.messages.some((message) => message.includes('lost a metric lock')));
  });

  it('keeps the batches when the lock is lost while the write is on its way', async () => {
    const metricId = await waitingMetric();
    const state = { lost: false };
    const storage = new Storage(
      hookedDriver(files, {
        afterUpdate: () => {
          state.lost = true;
        },
      }),
    );
    const figures = await chef({ storage, locks: switchableLocks(state) }).processMetrics([
      metricId,
    ]);
    assert.equal(figures.errors, 1);
    assert.equal(await waiting(metricId), 1);
    // NOTE: the write landed, which replaying the batches later makes harmless.
    assert.ok((await files.listObjects(metricId)).includes('raw'));
  });

  it('leaves a deleted metric for a later run when the lock is lost while expunging', async () => {
    const metricId = await waitingMetric();
    await chef({
      storage: new Storage(files),
      locks: switchableLocks({ lost: false }),
    }).processMetrics([metricId]);
    await indexer.deleteMetric(metricId);
    const locks = switchableLocks({ lost: true });
    assert.equal(await chef({ storage: new Storage(files), locks }).expungeMetrics(100), 0);
    assert.ok((await files.listObjects(metricId)).includes('raw'));
    assert.notEqual(await indexer.getMetric(metricId, { includeDeleted: true }), undefined);
  });

  describe('with storage and locks on one Redis', () => {
    const driver = () => new RedisStorageDriver({ client: redis, prefix });
    const locks = () => new RedisMetricLocks({ client: redis, prefix });

    it('writes under a lock it holds, with the fence checked atomically', async () => {
      const metricId = await waitingMetric();
      const storage = new Storage(driver());
      const figures = await chef({ storage, locks: locks(), atomicFencing: true }).processMetrics([
        metricId,
      ]);
      assert.equal(figures.metricsProcessed, 1);
      assert.equal(await waiting(metricId), 0);
      assert.ok((await storage.driver.listObjects(metricId)).includes('raw'));
    });

    it('refuses the write of a holder whose lock was taken before it noticed', async () => {
      const metricId = await waitingMetric();
      const service = locks();
      // NOTE: another process takes the lock (as after a lease ran out during a pause) between
      // the holder's last check and its write; only the atomic check can see it.
      const storage = new Storage(
        hookedDriver(driver(), {
          beforeUpdate: () => redis.set(service.lockKey(metricId), 'another-holder'),
        }),
      );
      const figures = await chef({ storage, locks: service, atomicFencing: true }).processMetrics([
        metricId,
      ]);
      assert.equal(figures.errors, 1);
      assert.deepEqual(await storage.driver.listObjects(metricId), []);
      assert.equal(await waiting(metricId), 1);
      assert.equal(await redis.get(service.lockKey(metricId)), 'another-holder');
      assert.ok(logger.messages.some((message) => message.includes('lost a metric lock')));
    });
  });
});
