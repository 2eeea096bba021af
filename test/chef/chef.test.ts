/**
 * The chef on real embedded backends (SQLite in memory, file incoming, file storage, file locks in
 * a temporary folder): what it folds, skips, discards and deletes, for a block, a refresh, and the
 * janitor.
 */
import { parseIndexerUrl } from '../../src/config/index.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createArchivePolicy } from '../../src/archive-policy/index.ts';
import { Chef } from '../../src/chef/index.ts';
import type { Logger } from '../../src/log/logger.ts';
import { createIndexer, type Indexer } from '../../src/indexer/index.ts';
import { FileIncomingDriver, Incoming, sackOfMetric } from '../../src/ingest/index.ts';
import { encodedMeasureBatchBytes } from '../../src/ingest/measure-batch-codec.ts';
import { FileMetricLocks, type MetricLocks } from '../../src/lock/index.ts';
import { FileStorageDriver, Storage } from '../../src/storage/index.ts';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const METHODS = ['mean', 'sum', 'count', 'last'];

/** A logger that keeps what it was told. */
function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (_fields: object, message: string) => {
    lines.push({ level, message });
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

function measures(points: readonly [number, number][]) {
  return {
    timestamps: Float64Array.from(points, ([s]) => T0 + s * S),
    values: Float64Array.from(points, ([, v]) => v),
  };
}

describe('Chef', () => {
  const base = mkdtempSync(join(tmpdir(), 'orzo-chef-'));
  let indexer: Indexer;
  let incoming: Incoming;
  let storage: Storage;
  let locks: FileMetricLocks;
  let logger: ReturnType<typeof recordingLogger>;
  let chef: Chef;
  const policy = createArchivePolicy(
    { name: 'p', aggregation_methods: METHODS, definition: [{ granularity: 60, points: 1440 }] },
    { defaultAggregationMethods: METHODS },
  );

  before(async () => {
    indexer = createIndexer(parseIndexerUrl('sqlite::memory:'));
    await indexer.upgrade();
    await indexer.createArchivePolicy(policy);
    incoming = new Incoming(new FileIncomingDriver({ basePath: base, fsync: false }));
    await incoming.upgrade(4);
    storage = new Storage(new FileStorageDriver({ basePath: base, fsync: false }));
    await storage.init();
    locks = new FileMetricLocks({ basePath: base });
  });

  beforeEach(() => {
    logger = recordingLogger();
    chef = new Chef({ indexer, incoming, storage, locks, logger, concurrency: 4 });
  });

  after(async () => {
    await indexer.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function newMetric(): Promise<string> {
    const metric = await indexer.createMetric({
      id: crypto.randomUUID(),
      archivePolicyName: 'p',
      creator: 'admin',
      name: null,
      unit: null,
      resourceId: null,
    });
    return metric.id;
  }

  async function sums(metricId: string): Promise<number[]> {
    const read = await storage.getMeasures(metricId, policy, {
      method: 'sum',
      granularities: [60 * S],
    });
    return Array.from(read?.[0]?.series.values ?? []);
  }

  it('folds every waiting batch of a block and deletes exactly those batches', async () => {
    const [a, b] = [await newMetric(), await newMetric()];
    await incoming.enqueueMeasures(
      a,
      measures([
        [0, 1],
        [30, 2],
      ]),
    );
    await incoming.enqueueMeasures(a, measures([[61, 4]]));
    await incoming.enqueueMeasures(b, measures([[5, 10]]));
    const figures = await chef.processMetrics([a, b]);
    assert.equal(figures.metricsProcessed, 2);
    assert.equal(figures.batchesRead, 3);
    assert.equal(figures.measuresRead, 4);
    assert.equal(figures.errors, 0);
    assert.deepEqual(await sums(a), [3, 4]);
    assert.deepEqual(await sums(b), [10]);
    assert.equal((await incoming.readPending(a)).handles.length, 0);
    // NOTE: nothing waits any more, so a second pass has nothing to do.
    assert.equal((await chef.processMetrics([a, b])).metricsProcessed, 0);
  });

  it('leaves a batch written after the block was listed for the next pass', async () => {
    const ids = [await newMetric(), await newMetric()];
    for (const id of ids) await incoming.enqueueMeasures(id, measures([[0, 1]]));
    const serial = new Chef({ indexer, incoming, storage, locks, logger, concurrency: 1 });
    let late: { id: string; write: Promise<void> } | undefined;
    const first = await serial.processMetrics(ids, {
      onMetric: (id) => {
        // NOTE: the other metric's lock is not taken yet; its sack was listed with the block.
        const other = ids.find((candidate) => candidate !== id) as string;
        late ??= { id: other, write: incoming.enqueueMeasures(other, measures([[1, 2]])) };
      },
    });
    assert.ok(late !== undefined);
    await late.write;
    assert.equal(first.metricsProcessed, 2);
    assert.equal(first.measuresRead, 2);
    assert.equal((await incoming.readPending(late.id)).handles.length, 1);
    const second = await serial.processMetrics(ids);
    assert.equal(second.metricsProcessed, 1);
    assert.equal(second.measuresRead, 1);
    assert.deepEqual(await sums(late.id), [3]);
  });

  it('skips a metric whose lock another holder has, and leaves its measures waiting', async () => {
    const metricId = await newMetric();
    await incoming.enqueueMeasures(metricId, measures([[0, 1]]));
    const held = await locks.tryAcquire(metricId);
    assert.ok(held);
    const figures = await chef.processMetrics([metricId]);
    assert.equal(figures.metricsLocked, 1);
    assert.equal(figures.metricsProcessed, 0);
    assert.equal((await incoming.readPending(metricId)).handles.length, 1);
    await held.release();
    assert.equal((await chef.processMetrics([metricId])).metricsProcessed, 1);
  });

  it('tries a busy metric once more after the rest of its block', async () => {
    const busy = await newMetric();
    const others = [await newMetric(), await newMetric()];
    for (const id of [busy, ...others]) await incoming.enqueueMeasures(id, measures([[0, 2]]));
    const held = await locks.tryAcquire(busy);
    assert.ok(held);
    const tries: string[] = [];
    // NOTE: the holder lets go once the first of the others is done, before the second try.
    let released: Promise<void> | undefined;
    const counting: MetricLocks = {
      tryAcquire: async (id) => {
        tries.push(id);
        await released;
        return locks.tryAcquire(id);
      },
      acquire: (id, timeoutMs) => locks.acquire(id, timeoutMs),
      close: () => locks.close(),
    };
    const serial = new Chef({
      indexer,
      incoming,
      storage,
      locks: counting,
      logger,
      concurrency: 1,
    });
    const figures = await serial.processMetrics([busy, ...others], {
      onMetric: () => {
        released ??= held.release();
      },
    });
    assert.deepEqual(tries, [busy, ...others, busy]);
    assert.equal(figures.metricsProcessed, 3);
    assert.equal(figures.metricsLocked, 0);
    assert.deepEqual(await sums(busy), [2]);
  });

  it('throws away the measures of a deleted metric', async () => {
    const metricId = await newMetric();
    await incoming.enqueueMeasures(metricId, measures([[0, 1]]));
    await indexer.deleteMetric(metricId);
    const figures = await chef.processMetrics([metricId]);
    assert.equal(figures.metricsDiscarded, 1);
    assert.equal((await incoming.readPending(metricId)).handles.length, 0);
  });

  it('drops a corrupt incoming batch with a warning and folds the rest', async () => {
    const metricId = await newMetric();
    await incoming.enqueueMeasures(metricId, measures([[0, 1]]));
    const sack = sackOfMetric(metricId, await incoming.sackCount());
    // NOTE: as long as a batch of one measure: the file driver passes over a shorter file for a
    // while, as one still being written.
    const garbage = new Uint8Array(encodedMeasureBatchBytes(1)).fill(0xc1);
    await incoming.driver.addBatches([{ metricId, sack, data: garbage, measures: 1 }]);
    const figures = await chef.processMetrics([metricId]);
    assert.equal(figures.corrupt, 1);
    assert.equal(figures.metricsProcessed, 1);
    assert.deepEqual(await sums(metricId), [1]);
    assert.equal((await incoming.readPending(metricId)).handles.length, 0);
    assert.ok(
      logger.lines.some((line) => line.level === 'warn' && line.message.includes('corrupt')),
    );
  });

  it('stops between metrics once asked to, reporting only those it touched', async () => {
    const ids = [await newMetric(), await newMetric(), await newMetric()];
    for (const id of ids) await incoming.enqueueMeasures(id, measures([[0, 1]]));
    const touched: string[] = [];
    const serial = new Chef({ indexer, incoming, storage, locks, logger, concurrency: 1 });
    const figures = await serial.processMetrics(ids, {
      shouldStop: () => touched.length >= 1,
      onMetric: (id) => touched.push(id),
    });
    // NOTE: which one comes first is the lock service's order (stripe by stripe).
    assert.equal(touched.length, 1);
    assert.ok(ids.includes(touched[0] as string));
    assert.equal(figures.metricsProcessed, 1);
    for (const id of ids.filter((id) => id !== touched[0])) {
      assert.equal((await incoming.readPending(id)).handles.length, 1);
    }
  });

  it('takes the locks of a block stripe by stripe', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => newMetric()));
    for (const id of ids) await incoming.enqueueMeasures(id, measures([[0, 1]]));
    const asked: number[] = [];
    const recording: MetricLocks = {
      tryAcquire: (id) => {
        asked.push(locks.stripeOf(id));
        return locks.tryAcquire(id);
      },
      acquire: (id, timeoutMs) => locks.acquire(id, timeoutMs),
      close: () => locks.close(),
      stripeOf: (id) => locks.stripeOf(id),
    };
    const serial = new Chef({
      indexer,
      incoming,
      storage,
      locks: recording,
      logger,
      concurrency: 1,
    });
    const figures = await serial.processMetrics(ids);
    assert.equal(figures.metricsProcessed, 12);
    assert.deepEqual(
      asked,
      [...asked].sort((a, b) => a - b),
    );
  });

  it('refreshes a metric now, and gives up when its lock stays busy', async () => {
    const metricId = await newMetric();
    assert.equal(await chef.refreshMetric(metricId, 10), true);
    await incoming.enqueueMeasures(metricId, measures([[0, 5]]));
    const held = await locks.tryAcquire(metricId);
    assert.ok(held);
    assert.equal(await chef.refreshMetric(metricId, 100), false);
    await held.release();
    assert.equal(await chef.refreshMetric(metricId, 1_000), true);
    assert.deepEqual(await sums(metricId), [5]);
  });

  it('expunges deleted metrics: waiting measures, stored series, then the indexer row', async () => {
    const metricId = await newMetric();
    await incoming.enqueueMeasures(metricId, measures([[0, 1]]));
    await chef.processMetrics([metricId]);
    await incoming.enqueueMeasures(metricId, measures([[60, 1]]));
    await indexer.deleteMetric(metricId);
    // NOTE: the metric deleted by an earlier case goes too.
    assert.equal(await chef.expungeMetrics(100), 2);
    assert.deepEqual(await storage.driver.listObjects(metricId), []);
    assert.equal((await incoming.readPending(metricId)).handles.length, 0);
    assert.equal(await indexer.getMetric(metricId, { includeDeleted: true }), undefined);
  });
});
