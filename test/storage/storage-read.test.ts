/**
 * The read path of the storage service on every backend: ranges, resampling (numeric and
 * calendar), retention at read time, and which split bundles a read loads.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { ArchivePolicy } from '../../src/archive-policy/index.ts';
import { seriesOf } from '../../src/carbonara/index.ts';
import { bundleObjectName } from '../../src/storage/object-name.ts';
import type { StorageDriver } from '../../src/storage/storage-driver.ts';
import { Storage, type AggregateQuery } from '../../src/storage/storage.ts';
import { floorTo, referenceAggregate, toPoints, type Point } from '../carbonara/reference.ts';
import {
  BACKENDS,
  HOUR,
  MINUTE,
  S,
  T0,
  testPolicy,
  type Backend,
} from './support/storage-fixtures.ts';

const DAY = 24 * HOUR;
const METHODS = ['count', 'max', 'mean', 'sum'];

/** Points every `step` µs in `[from, to)`, with values cycling through 0..16. */
function regular(from: number, to: number, step: number) {
  const timestamps: number[] = [];
  for (let ts = from; ts < to; ts += step) timestamps.push(ts);
  return seriesOf(
    timestamps,
    timestamps.map((_, i) => (i * 7) % 17),
  );
}

function inRange(points: readonly Point[], from: number, to: number): Point[] {
  return points.filter((p) => p.ts >= from && p.ts < to);
}

for (const maker of BACKENDS) {
  describe(`storage service reads on ${maker.name}`, () => {
    let backend: Backend;
    let storage: Storage;
    before(async () => {
      backend = await maker.make();
      storage = new Storage(backend.driver);
    });
    after(async () => {
      await backend.cleanup();
    });

    async function filled(policy: ArchivePolicy, measures: ReturnType<typeof regular>) {
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy, measures });
      const query = async (q: AggregateQuery) => {
        const result = await storage.getMeasures(metricId, policy, q);
        assert.ok(result !== undefined);
        return result.map(({ granularity, sampling, series }) => ({
          granularity,
          sampling,
          points: toPoints(series),
        }));
      };
      return { metricId, query };
    }

    it('returns granularities coarsest first, each once, and refuses one the policy lacks', async () => {
      const policy = testPolicy(
        [
          [MINUTE, null],
          [HOUR, null],
        ],
        0,
        METHODS,
      );
      const { query } = await filled(policy, regular(T0, T0 + 5 * HOUR, 30 * S));
      const result = await query({ method: 'count', granularities: [MINUTE, HOUR, MINUTE] });
      assert.deepEqual(
        result.map((r) => [r.granularity, r.sampling, r.points.length]),
        [
          [HOUR, HOUR, 5],
          [MINUTE, MINUTE, 300],
        ],
      );
      await assert.rejects(query({ method: 'count', granularities: [S] }), RangeError);
    });

    it('keeps buckets from the start floored to the granularity up to the exclusive stop', async () => {
      const policy = testPolicy(
        [
          [MINUTE, null],
          [HOUR, null],
        ],
        0,
        METHODS,
      );
      const { query } = await filled(policy, regular(T0, T0 + 5 * HOUR, 30 * S));
      const start = T0 + 90 * MINUTE + 30 * S;
      const stop = T0 + 3 * HOUR;
      for (const method of METHODS) {
        const [full] = await query({ method, granularities: [HOUR] });
        const [fullMinutes] = await query({ method, granularities: [MINUTE] });
        const [hours, minutes] = await query({
          method,
          granularities: [HOUR, MINUTE],
          start,
          stop,
        });
        assert.deepEqual(hours?.points, inRange(full!.points, T0 + HOUR, stop));
        assert.deepEqual(minutes?.points, inRange(fullMinutes!.points, T0 + 90 * MINUTE, stop));
        assert.equal(hours.points.length, 2);
      }
    });

    it('resamples the stored points with the same method, then keeps the range', async () => {
      const policy = testPolicy(
        [
          [MINUTE, null],
          [HOUR, null],
        ],
        0,
        METHODS,
      );
      const { query } = await filled(policy, regular(T0, T0 + 5 * HOUR, 30 * S));
      const resample = 10 * MINUTE;
      for (const method of METHODS) {
        const [stored] = await query({ method, granularities: [MINUTE] });
        const expected = referenceAggregate(stored!.points, resample, method);
        const [all] = await query({ method, granularities: [MINUTE], resample });
        assert.deepEqual(all, { granularity: MINUTE, sampling: resample, points: expected });
        const start = T0 + 25 * MINUTE;
        const stop = T0 + 61 * MINUTE;
        const [part] = await query({ method, granularities: [MINUTE], resample, start, stop });
        assert.deepEqual(part?.points, inRange(expected, T0 + 20 * MINUTE, stop));
      }
      const [counts] = await query({ method: 'count', granularities: [MINUTE], resample });
      assert.ok(counts?.points.every((p) => p.value === 10));
    });

    it('resamples by calendar period, flooring the start to its period', async () => {
      const policy = testPolicy([[DAY, null]], 0, METHODS);
      const from = Date.UTC(2015, 0, 20) * 1000;
      const { query } = await filled(policy, regular(from, Date.UTC(2015, 2, 10) * 1000, 6 * HOUR));
      const monthOf = (ts: number) => {
        const date = new Date(ts / 1000);
        return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) * 1000;
      };
      const weekOf = (ts: number) => floorTo(ts + 4 * DAY, 7 * DAY) - 4 * DAY;
      for (const method of METHODS) {
        const [days] = await query({ method, granularities: [DAY] });
        for (const [letter, periodOf] of [
          ['M', monthOf],
          ['W', weekOf],
        ] as const) {
          const expected = regroup(days!.points, periodOf, method);
          const [all] = await query({ method, granularities: [DAY], resample: letter });
          assert.deepEqual(all, { granularity: DAY, sampling: letter, points: expected }, letter);
        }
        const start = Date.UTC(2015, 1, 15) * 1000;
        const [months] = await query({ method, granularities: [DAY], resample: 'M', start });
        assert.deepEqual(
          months?.points.map((p) => new Date(p.ts / 1000).toISOString().slice(0, 10)),
          ['2015-02-01', '2015-03-01'],
        );
      }
    });

    it('truncates to the timespan relative to the newest raw point, even when stop hides it', async () => {
      const policy = testPolicy([[S, 60]], 0, METHODS);
      const { metricId, query } = await filled(policy, regular(T0 + 3500 * S, T0 + 3600 * S, S));
      await storage.foldMeasures({
        metricId,
        policy,
        measures: regular(T0 + 3630 * S, T0 + 3631 * S, S),
      });
      const [before] = await query({ method: 'count', granularities: [S], stop: T0 + 3600 * S });
      assert.deepEqual(
        before?.points.map((p) => (p.ts - T0) / S),
        Array.from({ length: 29 }, (_, i) => 3571 + i),
      );
    });

    it('loads only the split bundles that the range and the resample cover', async () => {
      const policy = testPolicy([[S, null]], 0, METHODS);
      const { query } = await filled(policy, regular(T0, T0 + 5 * HOUR, 10 * S));
      const loaded = async (q: Omit<AggregateQuery, 'granularities' | 'method'>) => {
        const before = storage.statistics().splitsRead;
        await query({ method: 'mean', granularities: [S], ...q });
        return storage.statistics().splitsRead - before;
      };
      assert.equal(await loaded({}), 5);
      assert.equal(
        await loaded({ start: T0 + 2 * HOUR + 30 * MINUTE, stop: T0 + 2 * HOUR + 40 * MINUTE }),
        1,
      );
      assert.equal(await loaded({ start: T0 + 2 * HOUR, stop: T0 + 3 * HOUR }), 1);
      assert.equal(
        await loaded({
          start: T0 + 2 * HOUR + 30 * MINUTE,
          stop: T0 + 3 * HOUR + 10 * MINUTE,
          resample: 2 * HOUR,
        }),
        2,
      );
      assert.equal(await loaded({ start: T0 + 9 * HOUR }), 0);
    });

    it('names the bundles of a bounded read without listing, and ignores an expired one left behind', async () => {
      const policy = testPolicy([[S, 60]], 0, METHODS);
      const { metricId, query } = await filled(policy, regular(T0 + 3500 * S, T0 + 3600 * S, S));
      const expired = bundleObjectName(S, T0);
      const [left] = await backend.driver.readObjects(metricId, [expired]);
      await storage.foldMeasures({
        metricId,
        policy,
        measures: regular(T0 + 7300 * S, T0 + 7310 * S, S),
      });
      // NOTE: as if the write that expired it had been cut short before the delete.
      await backend.driver.updateObjects(metricId, {
        put: new Map([[expired, left!]]),
        remove: [],
      });
      assert.ok((await backend.driver.listObjects(metricId)).includes(expired));
      const listings = storage.statistics().listings;
      const kept = Array.from({ length: 10 }, (_, i) => T0 + (7300 + i) * S);
      for (const range of [{}, { start: T0 }, { start: T0 + 3500 * S, stop: T0 + 7305 * S }]) {
        const [counts] = await query({ method: 'count', granularities: [S], ...range });
        const stop = 'stop' in range ? range.stop : Infinity;
        assert.deepEqual(
          counts?.points.map((p) => p.ts),
          kept.filter((ts) => ts < stop),
        );
      }
      assert.equal(storage.statistics().listings, listings);
    });

    it('makes every driver call of one read through one snapshot, a new one per read', async () => {
      const snapshots: (object | undefined)[] = [];
      const { driver } = backend;
      const recording: StorageDriver = {
        init: () => driver.init(),
        readObjects: (metricId, names, options) => {
          snapshots.push(options?.snapshot);
          return driver.readObjects(metricId, names, options);
        },
        listObjects: (metricId, options) => {
          snapshots.push(options?.snapshot);
          return driver.listObjects(metricId, options);
        },
        updateObjects: (metricId, update, options) =>
          driver.updateObjects(metricId, update, options),
        deleteMetric: (metricId) => driver.deleteMetric(metricId),
        close: () => Promise.resolve(),
      };
      const reader = new Storage(recording);
      const policy = testPolicy([[S, null]], 0, METHODS);
      const { metricId } = await filled(policy, regular(T0, T0 + 20 * HOUR, MINUTE));
      const reads = [];
      // NOTE: the unbounded read lists the objects too: raw buffer, listing, bundles.
      for (const query of [{}, { start: T0 + HOUR, stop: T0 + 2 * HOUR }]) {
        snapshots.length = 0;
        await reader.getMeasures(metricId, policy, {
          method: 'mean',
          granularities: [S],
          ...query,
        });
        reads.push([...snapshots]);
      }
      const [unbounded = [], bounded = []] = reads;
      assert.ok(unbounded.length >= 3 && bounded.length >= 2);
      for (const calls of reads) {
        assert.ok(calls[0] !== undefined);
        assert.ok(calls.every((snapshot) => snapshot === calls[0]));
      }
      assert.notEqual(unbounded[0], bounded[0]);
    });

    it('lists the objects when the splits to read are too many or the raw buffer is corrupt', async () => {
      const policy = testPolicy([[S, null]], 0, METHODS);
      const { query } = await filled(policy, regular(T0, T0 + 20 * HOUR, MINUTE));
      const listed = async (q: Omit<AggregateQuery, 'granularities' | 'method'>) => {
        const listings = storage.statistics().listings;
        const [counts] = await query({ method: 'count', granularities: [S], ...q });
        return {
          points: counts?.points.length,
          listings: storage.statistics().listings - listings,
        };
      };
      assert.deepEqual(await listed({}), { points: 1200, listings: 1 });
      assert.deepEqual(await listed({ start: T0 }), { points: 1200, listings: 1 });
      assert.deepEqual(await listed({ start: T0 + 10 * HOUR }), { points: 600, listings: 0 });
      const bounded = testPolicy([[S, 90]], 0, METHODS);
      const corrupt = await filled(bounded, regular(T0, T0 + 120 * S, S));
      await backend.driver.updateObjects(corrupt.metricId, {
        put: new Map([['raw', Uint8Array.of(1, 2, 3)]]),
        remove: [],
      });
      const listings = storage.statistics().listings;
      const [counts] = await corrupt.query({ method: 'count', granularities: [S] });
      // NOTE: without the raw buffer, retention is relative to the newest stored point.
      assert.deepEqual(counts?.points.length, 90);
      assert.equal(storage.statistics().listings, listings + 1);
    });

    it('reads a metric never processed as undefined', async () => {
      const policy = testPolicy([[S, null]], 0, METHODS);
      assert.equal(
        await storage.getMeasures(randomUUID(), policy, { method: 'mean', granularities: [S] }),
        undefined,
      );
    });
  });
}

/** The stored points regrouped by a period function, aggregated with the same method. */
function regroup(
  points: readonly Point[],
  periodOf: (ts: number) => number,
  method: string,
): Point[] {
  const groups = new Map<number, Point[]>();
  for (const p of points) groups.set(periodOf(p.ts), [...(groups.get(periodOf(p.ts)) ?? []), p]);
  return [...groups].map(([ts, members]) => {
    // NOTE: one bucket of a granularity wider than the whole group gives the group's aggregate.
    const [aggregate] = referenceAggregate(
      members.map((p, i) => ({ ts: i, value: p.value })),
      Number.MAX_SAFE_INTEGER,
      method,
    );
    return { ts, value: aggregate!.value };
  });
}
