/**
 * Damaged stored objects on every backend: the bytes are kept aside, what can be rebuilt is, good
 * aggregates are never overwritten with ones computed from part of their points, and reads say
 * which of their bundles failed.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { InvalidDataError, seriesOf, type Series } from '../../src/carbonara/index.ts';
import { isQuarantineName } from '../../src/storage/damage.ts';
import { bundleObjectName } from '../../src/storage/object-name.ts';
import { decodeRawBuffer, RAW_BUFFER_VERSION } from '../../src/storage/raw-buffer.ts';
import { Storage } from '../../src/storage/storage.ts';
import { toPoints } from '../carbonara/reference.ts';
import { BACKENDS, MINUTE, S, T0, testPolicy, type Backend } from './support/storage-fixtures.ts';

/** A series from `[seconds after T0, value]` pairs, sorted by the caller. */
function at(...pairs: [number, number][]): Series {
  return seriesOf(
    pairs.map(([seconds]) => T0 + seconds * S),
    pairs.map(([, value]) => value),
  );
}

const GARBAGE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

/** Seconds and minutes, unbounded, without `rate:` (which keeps one block more). */
const POLICY = testPolicy(
  [
    [S, null],
    [MINUTE, null],
  ],
  0,
  ['count', 'mean', 'sum'],
);

for (const maker of BACKENDS) {
  describe(`storage service with damaged objects on ${maker.name}`, () => {
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
      method: string,
      granularity: number,
    ) => {
      const result = await storage.getMeasures(metricId, POLICY, {
        method,
        granularities: [granularity],
      });
      return result === undefined ? undefined : toPoints(result[0]!.series);
    };
    const put = (metricId: string, name: string, bytes: Uint8Array) =>
      backend.driver.updateObjects(metricId, { put: new Map([[name, bytes]]), remove: [] });
    const kept = async (metricId: string) => {
      const names = (await backend.driver.listObjects(metricId)).filter(isQuarantineName);
      return Promise.all(
        names.map(async (name) => {
          const [bytes] = await backend.driver.readObjects(metricId, [name]);
          return [name, [...(bytes ?? [])]] as const;
        }),
      );
    };

    it('keeps a damaged raw buffer aside and never recomputes the buckets it fed', async () => {
      const reported: [string, string, Error][] = [];
      const storage = new Storage(backend.driver, { onCorrupt: (...args) => reported.push(args) });
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([0, 1], [1, 2]) });
      await put(metricId, 'raw', GARBAGE);

      const repair = await storage.foldMeasures({
        metricId,
        policy: POLICY,
        measures: at([1, 50], [2, 10]),
      });
      assert.deepEqual(repair.corrupt, ['raw']);
      assert.equal(repair.accepted, 1);
      // NOTE: the second of 1 s holds the aggregates of a lost point: 50 there is dropped.
      assert.equal(repair.dropped, 1);
      assert.equal(repair.damage.length, 1);
      const [damage] = repair.damage;
      assert.ok(damage !== undefined);
      assert.equal(damage.object, 'raw');
      assert.match(damage.detail, /kept as they are .*1s before 2015-03-06T00:00:02/);
      assert.deepEqual(await kept(metricId), [[damage.keptAs, [...GARBAGE]]]);
      assert.equal(reported.length, 1);
      assert.ok(reported[0]?.[2] instanceof InvalidDataError);

      assert.deepEqual(await read(storage, metricId, 'sum', S), [
        { ts: T0, value: 1 },
        { ts: T0 + S, value: 2 },
        { ts: T0 + 2 * S, value: 10 },
      ]);
      // The minute holds 1 + 2 from the lost buffer: recomputing it from 10 alone would be wrong.
      assert.deepEqual(await read(storage, metricId, 'sum', MINUTE), [{ ts: T0, value: 3 }]);

      // The floors outlive the pass: a later measure in the same minute still leaves it alone.
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([30, 5]) });
      assert.deepEqual(await read(storage, metricId, 'sum', MINUTE), [{ ts: T0, value: 3 }]);
      assert.equal((await read(storage, metricId, 'sum', S))?.length, 4);
      const [enveloped] = await backend.driver.readObjects(metricId, ['raw']);
      assert.equal(decodeRawBuffer(enveloped!).floors.size, 2);

      // Once the buffer's first block passes the floors, it is a plain buffer again.
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([61, 7], [62, 1]) });
      const [plain] = await backend.driver.readObjects(metricId, ['raw']);
      assert.notEqual(plain?.[0], 0x4f);
      assert.equal(decodeRawBuffer(plain!).floors.size, 0);
      assert.deepEqual(await read(storage, metricId, 'sum', MINUTE), [
        { ts: T0, value: 3 },
        { ts: T0 + MINUTE, value: 8 },
      ]);
      assert.equal(RAW_BUFFER_VERSION, 1);
    });

    it('stores the repair even when every measure is too old for it', async () => {
      const storage = new Storage(backend.driver);
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([0, 1], [1, 2]) });
      await put(metricId, 'raw', GARBAGE);
      const repair = await storage.foldMeasures({ metricId, policy: POLICY, measures: at([0, 9]) });
      assert.deepEqual([repair.accepted, repair.dropped], [0, 1]);
      assert.equal((await kept(metricId)).length, 1);
      const [raw] = await backend.driver.readObjects(metricId, ['raw']);
      assert.deepEqual(
        [...decodeRawBuffer(raw!).floors],
        [
          [S, T0 + 2 * S],
          [MINUTE, T0 + MINUTE],
        ],
      );
      // The next pass finds a healthy buffer: nothing more is reported or kept.
      const next = await storage.foldMeasures({ metricId, policy: POLICY, measures: at([3, 4]) });
      assert.deepEqual([next.corrupt, next.accepted], [[], 1]);
      assert.deepEqual(await read(storage, metricId, 'count', MINUTE), [{ ts: T0, value: 2 }]);
    });

    it('rebuilds a damaged bundle whole when the raw buffer holds all its points', async () => {
      const storage = new Storage(backend.driver);
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([0, 1], [1, 2]) });
      const name = bundleObjectName(S, T0);
      await put(metricId, name, GARBAGE);
      const result = await storage.foldMeasures({ metricId, policy: POLICY, measures: at([5, 3]) });
      assert.deepEqual(result.corrupt, [name]);
      assert.deepEqual(result.damage, [
        {
          object: name,
          keptAs: result.damage[0]?.keptAs,
          detail: 'rebuilt whole from the raw buffer',
        },
      ]);
      assert.deepEqual(await kept(metricId), [[result.damage[0]?.keptAs, [...GARBAGE]]]);
      assert.deepEqual(await read(storage, metricId, 'sum', S), [
        { ts: T0, value: 1 },
        { ts: T0 + S, value: 2 },
        { ts: T0 + 5 * S, value: 3 },
      ]);
      assert.deepEqual(await read(storage, metricId, 'sum', MINUTE), [{ ts: T0, value: 6 }]);
    });

    it('rebuilds what the raw buffer still holds of a damaged bundle and says what is lost', async () => {
      const storage = new Storage(backend.driver);
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([0, 1], [1, 2]) });
      // The buffer now keeps the minute of 60 s on: the points of 0 s and 1 s left it.
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([61, 4]) });
      const name = bundleObjectName(S, T0);
      await put(metricId, name, GARBAGE);
      const result = await storage.foldMeasures({
        metricId,
        policy: POLICY,
        measures: at([62, 5]),
      });
      assert.match(
        result.damage[0]?.detail ?? '',
        /^rebuilt from the raw buffer from 2015-03-06T00:01:00.000Z; its buckets before that are lost$/,
      );
      assert.deepEqual(await read(storage, metricId, 'sum', S), [
        { ts: T0 + 61 * S, value: 4 },
        { ts: T0 + 62 * S, value: 5 },
      ]);
      assert.deepEqual(await read(storage, metricId, 'sum', MINUTE), [
        { ts: T0, value: 3 },
        { ts: T0 + MINUTE, value: 9 },
      ]);
    });

    it('names the damaged bundles behind an answer', async () => {
      const reported: string[] = [];
      const storage = new Storage(backend.driver, {
        onCorrupt: (_id, name) => reported.push(name),
      });
      const metricId = randomUUID();
      await storage.foldMeasures({ metricId, policy: POLICY, measures: at([0, 1], [1, 2]) });
      const name = bundleObjectName(MINUTE, T0);
      const [bytes] = await backend.driver.readObjects(metricId, [name]);
      const flipped = Uint8Array.from(bytes!);
      flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0x10;
      await put(metricId, name, flipped);
      const result = await storage.getMeasures(metricId, POLICY, {
        method: 'sum',
        granularities: [S, MINUTE],
      });
      assert.deepEqual(reported, [name]);
      assert.deepEqual(
        result?.map(({ granularity, series, damaged }) => [granularity, toPoints(series), damaged]),
        [
          [MINUTE, [], [name]],
          [
            S,
            [
              { ts: T0, value: 1 },
              { ts: T0 + S, value: 2 },
            ],
            undefined,
          ],
        ],
      );
      // A read writes nothing: the bundle is neither kept aside nor replaced.
      assert.deepEqual(await kept(metricId), []);
    });
  });
}
