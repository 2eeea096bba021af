/**
 * The write path of the storage service on every backend, case by case: replays, expiry,
 * deletion and the counters (damaged objects: `storage-damage.test.ts`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { seriesOf, type Series } from '../../src/carbonara/index.ts';
import { bundleObjectName } from '../../src/storage/object-name.ts';
import { decodeSplitBundle } from '../../src/storage/split-bundle.ts';
import { Storage } from '../../src/storage/storage.ts';
import { toPoints } from '../carbonara/reference.ts';
import {
  BACKENDS,
  HOUR,
  MINUTE,
  S,
  T0,
  testPolicy,
  type Backend,
} from './support/storage-fixtures.ts';

/** A series from `[seconds after T0, value]` pairs, sorted by the caller. */
function at(...pairs: [number, number][]): Series {
  return seriesOf(
    pairs.map(([seconds]) => T0 + seconds * S),
    pairs.map(([, value]) => value),
  );
}

for (const maker of BACKENDS) {
  describe(`storage service writes on ${maker.name}`, () => {
    let backend: Backend;
    before(async () => {
      backend = await maker.make();
    });
    after(async () => {
      await backend.cleanup();
    });

    const read = async (
      storage: Storage,
      metricId: string,
      policy = testPolicy([[S, null]]),
      method = 'mean',
      granularity = S,
    ) => {
      const result = await storage.getMeasures(metricId, policy, {
        method,
        granularities: [granularity],
      });
      return result === undefined ? undefined : toPoints(result[0]!.series);
    };

    it('reads no bundle for a metric never written, and every touched one after', async () => {
      const asked: string[] = [];
      const counting = {
        ...backend.driver,
        init: () => backend.driver.init(),
        listObjects: (id: string) => backend.driver.listObjects(id),
        updateObjects: (...args: Parameters<typeof backend.driver.updateObjects>) =>
          backend.driver.updateObjects(...args),
        deleteMetric: (id: string) => backend.driver.deleteMetric(id),
        close: () => backend.driver.close(),
        readObjects: (id: string, names: readonly string[]) => {
          asked.push(...names);
          return backend.driver.readObjects(id, names);
        },
      };
      const storage = new Storage(counting);
      const policy = testPolicy([
        [S, null],
        [MINUTE, null],
      ]);
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy, measures: at([60, 1], [61, 2]) });
      assert.deepEqual(asked, ['raw']);
      asked.length = 0;
      await storage.foldMeasures({ metricId, policy, measures: at([62, 3]) });
      assert.equal(asked[0], 'raw');
      assert.equal(asked.length, 3, 'raw, then the bundle of each granularity');
      assert.deepEqual(await read(storage, metricId, policy), [
        { ts: T0 + 60 * S, value: 1 },
        { ts: T0 + 61 * S, value: 2 },
        { ts: T0 + 62 * S, value: 3 },
      ]);
    });

    it('gives identical results when the same measures are folded in twice', async () => {
      const storage = new Storage(backend.driver);
      const policy = testPolicy([
        [S, null],
        [MINUTE, null],
      ]);
      const metricId = randomUUID();
      const measures = at([1, 0.1], [1.5, 0.2], [7, 3], [7.25, 1e-3], [59, 0.7]);
      const first = await storage.foldMeasures({ metricId, policy, measures });
      const snapshot = await readAll(storage, metricId, policy);
      const second = await storage.foldMeasures({ metricId, policy, measures });
      assert.deepEqual(second, first);
      assert.deepEqual(await readAll(storage, metricId, policy), snapshot);
      const minute = (method: string) => read(storage, metricId, policy, method, MINUTE);
      assert.deepEqual(await minute('count'), [{ ts: T0, value: 5 }]);
      assert.deepEqual(await minute('sum'), [{ ts: T0, value: 0.1 + 0.2 + 3 + 1e-3 + 0.7 }]);
    });

    it('does nothing without measures, and reads a metric never processed as undefined', async () => {
      const storage = new Storage(backend.driver);
      const metricId = randomUUID();
      const result = await storage.foldMeasures({
        metricId,
        policy: testPolicy([[S, null]]),
        measures: at(),
      });
      assert.deepEqual(result, {
        accepted: 0,
        dropped: 0,
        splitsWritten: 0,
        splitsDeleted: 0,
        corrupt: [],
        damage: [],
      });
      assert.deepEqual(await backend.driver.listObjects(metricId), []);
      assert.equal(await read(storage, metricId), undefined);
    });

    it('deletes a metric: it reads as never processed, and deleting again is harmless', async () => {
      const storage = new Storage(backend.driver);
      const metricId = randomUUID();
      await storage.foldMeasures({
        metricId,
        policy: testPolicy([[S, null]]),
        measures: at([0, 1]),
      });
      assert.deepEqual(await read(storage, metricId), [{ ts: T0, value: 1 }]);
      await storage.deleteMetric(metricId);
      await storage.deleteMetric(metricId);
      assert.equal(await read(storage, metricId), undefined);
      assert.deepEqual(await backend.driver.listObjects(metricId), []);
    });

    it('deletes expired splits, trims rewritten ones, and lists only when the oldest split moves', async () => {
      const storage = new Storage(backend.driver);
      const policy = testPolicy([[S, 60]], 0, ['count', 'mean']);
      const metricId = randomUUID();
      const objects = async () => (await backend.driver.listObjects(metricId)).sort();
      await storage.foldMeasures({ metricId, policy, measures: at([0, 1], [9, 2]) });
      assert.deepEqual(await objects(), [bundleObjectName(S, T0), 'raw'].sort());
      const moved = await storage.foldMeasures({
        metricId,
        policy,
        measures: at([7200, 1], [7204, 2]),
      });
      assert.equal(moved.splitsDeleted, 1);
      assert.deepEqual(await objects(), [bundleObjectName(S, T0 + 2 * HOUR), 'raw'].sort());
      const listings = storage.statistics().listings;
      await storage.foldMeasures({ metricId, policy, measures: at([7230, 3]) });
      assert.equal(storage.statistics().listings, listings);
      assert.equal((await read(storage, metricId, policy, 'count'))?.length, 3);
      await storage.foldMeasures({ metricId, policy, measures: at([7300, 4]) });
      assert.deepEqual(await read(storage, metricId, policy, 'mean'), [
        { ts: T0 + 7300 * S, value: 4 },
      ]);
      const [bundle] = await backend.driver.readObjects(metricId, [
        bundleObjectName(S, T0 + 2 * HOUR),
      ]);
      const stored = decodeSplitBundle(bundle!);
      assert.deepEqual([...stored.get('count')!.timestamps], [T0 + 7300 * S]);
      // NOTE: at 7300 s the oldest kept point moved from the split of 1 h into that of 2 h.
      assert.equal(storage.statistics().listings, listings + 1);
    });

    it('counts what it did', async () => {
      const storage = new Storage(backend.driver);
      const policy = testPolicy(
        [
          [S, null],
          [MINUTE, null],
        ],
        0,
        ['mean', 'sum'],
      );
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy, measures: at([60, 1], [61, 2]) });
      const late = await storage.foldMeasures({ metricId, policy, measures: at([0, 5], [62, 3]) });
      assert.deepEqual(
        { accepted: late.accepted, dropped: late.dropped },
        { accepted: 1, dropped: 1 },
      );
      await storage.getMeasures(metricId, policy, { method: 'mean', granularities: [S] });
      const stats = storage.statistics();
      assert.deepEqual(
        {
          metricsProcessed: stats.metricsProcessed,
          measuresAccepted: stats.measuresAccepted,
          measuresDropped: stats.measuresDropped,
          splitsWritten: stats.splitsWritten,
          splitsRead: stats.splitsRead,
          reads: stats.reads,
        },
        {
          metricsProcessed: 2,
          measuresAccepted: 3,
          measuresDropped: 1,
          splitsWritten: 4,
          splitsRead: 3,
          reads: 1,
        },
      );
      assert.ok(stats.bytesWritten > 0 && stats.bytesRead > 0);
      assert.ok(stats.foldMeasuresMs > 0 && stats.readMeasuresMs > 0);
    });
  });
}

async function readAll(storage: Storage, metricId: string, policy: ReturnType<typeof testPolicy>) {
  const all: unknown[] = [];
  for (const method of policy.aggregationMethods) {
    const granularities = policy.definition.map((item) => item.granularity);
    const result = await storage.getMeasures(metricId, policy, { method, granularities });
    all.push(result?.map(({ granularity, series }) => [granularity, toPoints(series)]));
  }
  return all;
}
