/**
 * The conformance suite every storage driver passes. A driver test calls
 * `runStorageDriverSuite(name, makeDriver)`; `makeDriver` returns a fresh, isolated backend and a
 * cleanup.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { StorageDriver } from '../../src/storage/storage-driver.ts';

/** A fresh backend for one test. */
export interface DriverFixture {
  readonly driver: StorageDriver;
  cleanup(): Promise<void>;
}

export const A = '00000000-0000-0000-0000-00000000000a';
export const B = '00000000-0000-0000-0000-00000000000b';

/** Bytes whose every byte is `tag`, so that tests can tell objects apart. */
export function tagged(tag: number, length = 16): Uint8Array {
  return new Uint8Array(length).fill(tag);
}

/** A metric id for the `index`-th of many metrics, spread over shards. */
export function manyId(index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `${hex.slice(-2)}${hex.slice(-8, -2)}-0000-0000-0000-${hex}`;
}

function bytesOf(data: Uint8Array | undefined): number[] | undefined {
  return data === undefined ? undefined : [...data];
}

/** Runs the conformance suite against a driver. */
export function runStorageDriverSuite(
  name: string,
  makeDriver: () => Promise<DriverFixture>,
): void {
  describe(`storage driver conformance: ${name}`, () => {
    let fixture: DriverFixture;
    let driver: StorageDriver;
    beforeEach(async () => {
      fixture = await makeDriver();
      driver = fixture.driver;
      await driver.init();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const put = (metricId: string, entries: Record<string, Uint8Array>, remove: string[] = []) =>
      driver.updateObjects(metricId, { put: new Map(Object.entries(entries)), remove });

    it('initialises idempotently', async () => {
      await driver.init();
    });

    it('reads back exactly the bytes written, aligned with the names asked', async () => {
      const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) % 251);
      await put(A, { raw: tagged(1), agg_60000000_0: big, agg_1000000_3600000000: tagged(3, 0) });
      const read = await driver.readObjects(A, [
        'agg_1000000_3600000000',
        'nope',
        'raw',
        'agg_60000000_0',
      ]);
      assert.deepEqual(read.map(bytesOf), [[], undefined, [...tagged(1)], [...big]]);
      assert.deepEqual(await driver.readObjects(A, []), []);
    });

    it('reads and lists a metric that has nothing as empty', async () => {
      assert.deepEqual(await driver.readObjects(B, ['raw', 'agg_1_0']), [undefined, undefined]);
      assert.deepEqual(await driver.listObjects(B), []);
    });

    it('overwrites objects and removes others in one update', async () => {
      await put(A, { raw: tagged(1), agg_1_0: tagged(2), agg_1_3600: tagged(3) });
      await put(A, { raw: tagged(4, 3), agg_1_7200: tagged(5) }, ['agg_1_0', 'agg_1_10800']);
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_1_3600', 'agg_1_7200', 'raw']);
      const read = await driver.readObjects(A, ['raw', 'agg_1_0', 'agg_1_3600', 'agg_1_7200']);
      assert.deepEqual(read.map(bytesOf), [[4, 4, 4], undefined, [...tagged(3)], [...tagged(5)]]);
    });

    it('removes objects without writing any, harmlessly when they are gone', async () => {
      await put(A, { raw: tagged(1), agg_1_0: tagged(2) });
      await put(A, {}, ['agg_1_0', 'agg_1_0_missing']);
      await put(B, {}, ['raw']);
      assert.deepEqual(await driver.listObjects(A), ['raw']);
      assert.deepEqual(await driver.listObjects(B), []);
      await put(A, {});
    });

    it('reads, lists and updates through a scope as without one, the update ending it', async () => {
      // NOTE: a big object, so that the file driver keeps it out of its pack, and a small one in it.
      const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 249);
      await put(A, { raw: tagged(1), agg_1_0: tagged(2), agg_1_3600: big });
      for (const round of [3, 4]) {
        const scope = {};
        const [raw] = await driver.readObjects(A, ['raw'], { scope });
        assert.deepEqual(bytesOf(raw), [...tagged(round - 2)]);
        assert.equal((await driver.listObjects(A, { scope })).length, 3);
        const [bundle, none] = await driver.readObjects(A, ['agg_1_3600', 'agg_1_9'], { scope });
        assert.deepEqual([bytesOf(bundle)?.length, none], [1 << 20, undefined]);
        await driver.updateObjects(
          A,
          {
            put: new Map([
              [`agg_1_${round * 3600}`, tagged(round)],
              ['raw', tagged(round - 1)],
            ]),
            remove: ['agg_1_0'],
          },
          { scope },
        );
        // NOTE: the update ended the scope: a read through it sees what the update wrote.
        assert.deepEqual(bytesOf((await driver.readObjects(A, ['raw'], { scope }))[0]), [
          ...tagged(round - 1),
        ]);
      }
      assert.deepEqual((await driver.listObjects(A)).sort(), [
        'agg_1_10800',
        'agg_1_14400',
        'agg_1_3600',
        'raw',
      ]);
      const read = await driver.readObjects(A, ['raw', 'agg_1_0', 'agg_1_3600', 'agg_1_14400']);
      assert.deepEqual(read.map(bytesOf), [[...tagged(3)], undefined, [...big], [...tagged(4)]]);
      // NOTE: a scope kept for metric A says nothing about metric B.
      const shared = {};
      await driver.readObjects(A, ['raw'], { scope: shared });
      await driver.updateObjects(
        B,
        { put: new Map([['raw', tagged(9)]]), remove: [] },
        { scope: shared },
      );
      assert.deepEqual(bytesOf((await driver.readObjects(B, ['raw']))[0]), [...tagged(9)]);
    });

    it('reads through a snapshot each object as its first read saw it or newer, never missing', async () => {
      // NOTE: a big object, so that the file driver keeps it out of its pack, and small ones in it.
      const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 247);
      await put(A, { raw: tagged(1), agg_1_0: tagged(2), agg_1_3600: big });
      const snapshot = {};
      assert.deepEqual(bytesOf((await driver.readObjects(A, ['raw'], { snapshot }))[0]), [
        ...tagged(1),
      ]);
      // NOTE: a writer meanwhile, as the API reads without the metric's lock: the big object is
      // replaced by a small one (moved into the pack, its file gone), the raw buffer rewritten.
      await put(A, { raw: tagged(5), agg_1_3600: tagged(6) });
      const read = await driver.readObjects(A, ['agg_1_0', 'agg_1_3600', 'raw'], { snapshot });
      assert.deepEqual(bytesOf(read[0]), [...tagged(2)]);
      assert.ok(
        [big.length, 16].includes(bytesOf(read[1])?.length ?? -1),
        'the moved object, old or new',
      );
      assert.ok([1, 5].includes(read[2]?.[0] ?? -1), 'the raw buffer, old or new');
      assert.deepEqual((await driver.listObjects(A, { snapshot })).sort(), [
        'agg_1_0',
        'agg_1_3600',
        'raw',
      ]);
      // NOTE: a new snapshot sees the update.
      assert.deepEqual(bytesOf((await driver.readObjects(A, ['raw'], { snapshot: {} }))[0]), [
        ...tagged(5),
      ]);
    });

    it('refuses names that are not object names', async () => {
      await assert.rejects(put(A, { '../raw': tagged(1) }), RangeError);
      await assert.rejects(put(A, { raw: tagged(1) }, ['raw']), RangeError);
      await assert.rejects(driver.readObjects(A, ['.tmp-1']), RangeError);
      await assert.rejects(driver.listObjects('not-a-uuid'), RangeError);
    });

    it('deletes a metric idempotently and only that metric', async () => {
      await put(A, { raw: tagged(1), agg_1_0: tagged(2) });
      await put(B, { raw: tagged(3) });
      await driver.deleteMetric(A);
      assert.deepEqual(await driver.listObjects(A), []);
      assert.deepEqual(await driver.readObjects(A, ['raw']), [undefined]);
      await driver.deleteMetric(A);
      await driver.deleteMetric('00000000-0000-0000-0000-0000000000ff');
      assert.deepEqual(bytesOf((await driver.readObjects(B, ['raw']))[0]), [...tagged(3)]);
      await put(A, { raw: tagged(9) });
      assert.deepEqual(await driver.listObjects(A), ['raw']);
    });

    it('keeps many metrics apart under concurrent updates', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => manyId(i * 7 + 1));
      await Promise.all(
        ids.map(async (id, i) => {
          await put(id, { raw: tagged(i), agg_1_0: tagged(i + 100, i) });
          await put(id, { raw: tagged(i + 1) }, i % 2 === 0 ? ['agg_1_0'] : []);
        }),
      );
      for (const [i, id] of ids.entries()) {
        const expected = i % 2 === 0 ? ['raw'] : ['agg_1_0', 'raw'];
        assert.deepEqual((await driver.listObjects(id)).sort(), expected);
        assert.deepEqual(bytesOf((await driver.readObjects(id, ['raw']))[0]), [...tagged(i + 1)]);
      }
    });

    it('serves concurrent readers whole old or new objects', async () => {
      await put(A, { raw: tagged(1, 4096) });
      const writes = Array.from({ length: 20 }, (_, i) => put(A, { raw: tagged(i + 2, 4096 + i) }));
      const reads = Array.from({ length: 20 }, () => driver.readObjects(A, ['raw']));
      await Promise.all(writes);
      for (const [data] of await Promise.all(reads)) {
        assert.ok(data !== undefined);
        assert.ok(data.every((byte) => byte === data[0]));
        assert.equal(
          data.length,
          (data[0] as number) === 1 ? 4096 : 4096 + (data[0] as number) - 2,
        );
      }
    });
  });
}
