import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { FileStorageDriver } from '../../src/storage/file/file-storage-driver.ts';
import { decodePack, encodePack } from '../../src/storage/file/object-pack.ts';
import type { PackLimits } from '../../src/storage/file/pack-plan.ts';
import { A, runStorageDriverSuite, tagged } from './storage-driver.suite.ts';
import { legacyPack } from './support/legacy-pack.ts';

async function makeDriver(options: { fsync?: boolean; packLimits?: PackLimits } = {}) {
  const basePath = await mkdtemp(join(tmpdir(), 'orzo-storage-'));
  const driver = new FileStorageDriver({
    basePath,
    fsync: options.fsync ?? true,
    ...(options.packLimits === undefined ? {} : { packLimits: options.packLimits }),
  });
  return {
    driver,
    basePath,
    cleanup: async () => {
      await driver.close();
      await rm(basePath, { recursive: true, force: true });
    },
  };
}

runStorageDriverSuite('file', () => makeDriver());
runStorageDriverSuite('file without fsync', () => makeDriver({ fsync: false }));

describe('file storage driver', () => {
  const put = (
    driver: FileStorageDriver,
    entries: Record<string, Uint8Array>,
    remove: string[] = [],
  ) => driver.updateObjects(A, { put: new Map(Object.entries(entries)), remove });
  const read = async (driver: FileStorageDriver, names: string[]) =>
    (await driver.readObjects(A, names)).map((bytes) =>
      bytes === undefined ? undefined : [...bytes],
    );
  /** Objects over 8 bytes, and packs over 20, spill into the metric folder. */
  const small = { objectBytes: 8, packBytes: 20 };

  it('keeps a metric whose objects are small in one pack file under DIR/storage/<shard>', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.init();
      await put(driver, { raw: tagged(1), agg_60000000_0: tagged(2) });
      assert.deepEqual(await readdir(join(basePath, 'storage')), ['00']);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00')), [`${A}.pack`]);
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_60000000_0', 'raw']);
      await driver.deleteMetric(A);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00')), []);
    } finally {
      await cleanup();
    }
  });

  it('keeps objects the pack has no room for as files, and packs them again once they fit', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: true, packLimits: small });
    try {
      const folder = join(basePath, 'storage', '00', A);
      await put(driver, { agg_1_0: tagged(2), agg_1_1: tagged(3, 4), raw: tagged(1) });
      assert.deepEqual(await readdir(folder), ['agg_1_0']);
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_1_0', 'agg_1_1', 'raw']);
      assert.deepEqual(await read(driver, ['agg_1_0', 'agg_1_1', 'raw']), [
        [...tagged(2)],
        [...tagged(3, 4)],
        [...tagged(1)],
      ]);
      await put(driver, { agg_1_0: tagged(4, 4), raw: tagged(5) });
      await assert.rejects(stat(folder), { code: 'ENOENT' });
      assert.deepEqual(await read(driver, ['agg_1_0', 'agg_1_1', 'raw']), [
        [...tagged(4, 4)],
        [...tagged(3, 4)],
        [...tagged(5)],
      ]);
    } finally {
      await cleanup();
    }
  });

  it('moves untouched packed objects out to files when the pack fills', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false, packLimits: small });
    try {
      await put(driver, { agg_1_0: tagged(2, 8), agg_1_1: tagged(3, 8), raw: tagged(1) });
      await put(driver, { agg_1_2: tagged(4, 8), raw: tagged(5) }, ['agg_1_9']);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00', A)), ['agg_1_1']);
      assert.deepEqual(await read(driver, ['agg_1_0', 'agg_1_1', 'agg_1_2', 'raw']), [
        [...tagged(2, 8)],
        [...tagged(3, 8)],
        [...tagged(4, 8)],
        [...tagged(5)],
      ]);
      await put(driver, { raw: tagged(6) }, ['agg_1_1']);
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_1_0', 'agg_1_2', 'raw']);
      await assert.rejects(stat(join(basePath, 'storage', '00', A, 'agg_1_1')), {
        code: 'ENOENT',
      });
    } finally {
      await cleanup();
    }
  });

  it('reads a metric written before packs from its folder, and packs it at its next update', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: true });
    try {
      const folder = join(basePath, 'storage', '00', A);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'raw'), tagged(1));
      await writeFile(join(folder, 'agg_1_0'), tagged(2));
      await writeFile(join(folder, 'agg_1_1'), tagged(3));
      assert.deepEqual(await read(driver, ['agg_1_0', 'raw', 'agg_1_5']), [
        [...tagged(2)],
        [...tagged(1)],
        undefined,
      ]);
      // NOTE: removals alone need no pack.
      await put(driver, {}, ['agg_1_1']);
      assert.deepEqual((await readdir(folder)).sort(), ['agg_1_0', 'raw']);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00')), [A]);
      await put(driver, { raw: tagged(4) });
      assert.deepEqual(await readdir(folder), ['agg_1_0']);
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_1_0', 'raw']);
      assert.deepEqual(await read(driver, ['agg_1_0', 'raw']), [[...tagged(2)], [...tagged(4)]]);
    } finally {
      await cleanup();
    }
  });

  it('never reads what a crashed writer left, and sweeps it when it next writes files', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false, packLimits: small });
    try {
      await put(driver, { agg_1_0: tagged(2), raw: tagged(1) });
      const folder = join(basePath, 'storage', '00', A);
      // NOTE: a file renamed by an update whose pack never followed, and temporary files.
      await writeFile(join(folder, 'agg_1_7'), tagged(7));
      await writeFile(join(folder, '.tmp-fresh'), 'partial');
      await writeFile(join(folder, '.tmp-stale'), 'partial');
      await utimes(join(folder, '.tmp-stale'), new Date(0), new Date(0));
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_1_0', 'raw']);
      assert.deepEqual(await read(driver, ['agg_1_7']), [undefined]);
      await put(driver, { agg_1_0: tagged(3), raw: tagged(4) });
      assert.deepEqual((await readdir(folder)).sort(), ['.tmp-fresh', 'agg_1_0']);
      await driver.deleteMetric(A);
      await assert.rejects(stat(folder), { code: 'ENOENT' });
    } finally {
      await cleanup();
    }
  });

  it('rewrites its two pack slots in turn, each write a generation newer, retiring the other', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: true });
    try {
      const shard = join(basePath, 'storage', '00');
      const generations = async () =>
        Promise.all(
          [`${A}.pack`, `${A}.pack-1`].map(async (name) => {
            const bytes = await readFile(join(shard, name)).catch(() => undefined);
            if (bytes === undefined) return undefined;
            const { generation, retired, entries } = decodePack(bytes);
            return retired ? `retired by ${String(generation)}` : [generation, entries.size];
          }),
        );
      await put(driver, { raw: tagged(1) });
      assert.deepEqual(await generations(), [[1, 1], undefined]);
      await put(driver, { raw: tagged(2) });
      assert.deepEqual(await generations(), ['retired by 2', [2, 1]]);
      await put(driver, { raw: tagged(3) });
      assert.deepEqual(await generations(), [[3, 1], 'retired by 3']);
      assert.deepEqual(await read(driver, ['raw']), [[...tagged(3)]]);
      assert.equal(driver.flushFigures.requests, 3, 'one flush for each update');
      // NOTE: what a writer from before slots left behind goes with the metric.
      await writeFile(join(shard, `.${A}.pack-new`), 'partial');
      await driver.deleteMetric(A);
      assert.deepEqual(await readdir(shard), []);
    } finally {
      await cleanup();
    }
  });

  it('reads a pack written before slots, and writes the next one to the other slot', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      const shard = join(basePath, 'storage', '00');
      await mkdir(shard, { recursive: true });
      await writeFile(join(shard, `${A}.pack`), legacyPack(new Map([['raw', tagged(1)]])));
      assert.deepEqual(await read(driver, ['raw']), [[...tagged(1)]]);
      await put(driver, { raw: tagged(2), agg_1_0: tagged(3) });
      const slot1 = decodePack(await readFile(join(shard, `${A}.pack-1`)));
      assert.equal(slot1.generation, 1);
      assert.deepEqual(await read(driver, ['raw', 'agg_1_0']), [[...tagged(2)], [...tagged(3)]]);
    } finally {
      await cleanup();
    }
  });

  it('reads the other slot where a crash cut the newest short or left it half rewritten', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      const slot1 = join(basePath, 'storage', '00', `${A}.pack-1`);
      await put(driver, { raw: tagged(1), agg_1_0: tagged(5) });
      // NOTE: the second write, as a crash leaves it: the first slot is retired only after.
      const whole = encodePack(
        new Map([
          ['agg_1_0', tagged(6)],
          ['raw', tagged(2)],
        ]),
        2,
      );
      await writeFile(slot1, whole.subarray(0, whole.length - 3));
      assert.deepEqual(await read(driver, ['raw', 'agg_1_0']), [[...tagged(1)], [...tagged(5)]]);
      // NOTE: a new pack over an older one of a different size, bytes of both mixed.
      const mixed = Buffer.from(whole);
      mixed.writeUInt8(mixed.readUInt8(mixed.length - 1) ^ 0xff, mixed.length - 1);
      await writeFile(slot1, mixed);
      assert.deepEqual(await read(driver, ['raw', 'agg_1_0']), [[...tagged(1)], [...tagged(5)]]);
      assert.deepEqual((await driver.listObjects(A)).sort(), ['agg_1_0', 'raw']);
      // NOTE: the next write goes over the damaged slot, and is the newest.
      await put(driver, { raw: tagged(3) });
      assert.deepEqual(decodePack(await readFile(slot1)).generation, 2);
      assert.deepEqual(await read(driver, ['raw', 'agg_1_0']), [[...tagged(3)], [...tagged(5)]]);
    } finally {
      await cleanup();
    }
  });

  it('takes an empty or cut short first pack, a first write a crash stopped, for none', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      const shard = join(basePath, 'storage', '00');
      await mkdir(shard, { recursive: true });
      const first = encodePack(new Map([['raw', tagged(1)]]), 1);
      for (const bytes of [new Uint8Array(0), first.subarray(0, 10), first.subarray(0, 30)]) {
        await writeFile(join(shard, `${A}.pack`), bytes);
        assert.deepEqual(await read(driver, ['raw']), [undefined]);
        assert.deepEqual(await driver.listObjects(A), []);
      }
      await put(driver, { raw: tagged(2) });
      assert.deepEqual(await readdir(shard), [`${A}.pack`]);
      assert.deepEqual(await read(driver, ['raw']), [[...tagged(2)]]);
    } finally {
      await cleanup();
    }
  });

  it('leaves no temporary file and an untouched last object after a failed update', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false, packLimits: small });
    try {
      await put(driver, { agg_1_1: tagged(5), raw: tagged(1) });
      const folder = join(basePath, 'storage', '00', A);
      // NOTE: a non-empty folder where an object should go makes its rename fail.
      await mkdir(join(folder, 'agg_1_0', 'sub'), { recursive: true });
      await assert.rejects(put(driver, { agg_1_0: tagged(2), raw: tagged(3) }));
      assert.deepEqual((await readdir(folder)).sort(), ['agg_1_0', 'agg_1_1']);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00')), [A, `${A}.pack`].sort());
      assert.deepEqual(await read(driver, ['raw']), [[...tagged(1)]]);
    } finally {
      await cleanup();
    }
  });

  it('refuses a pack whose index is damaged, rather than reading or overwriting it', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await put(driver, { agg_1_0: tagged(2), raw: tagged(1) });
      const pack = join(basePath, 'storage', '00', `${A}.pack`);
      const bytes = await readFile(pack);
      bytes.writeUInt8(bytes.readUInt8(12) ^ 0xff, 12);
      await writeFile(pack, bytes);
      const damaged = { name: 'CorruptPackError', message: new RegExp(`${A}.*checksum`) };
      await assert.rejects(driver.readObjects(A, ['raw']), damaged);
      await assert.rejects(driver.listObjects(A), damaged);
      await assert.rejects(put(driver, { raw: tagged(3) }), damaged);
      assert.deepEqual(await readFile(pack), bytes);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00')), [`${A}.pack`]);
    } finally {
      await cleanup();
    }
  });

  it("updates from what its scope's first read found, without reading the pack again", async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await put(driver, { agg_1_0: tagged(2), raw: tagged(1) });
      const options = { scope: {} };
      assert.equal((await driver.readObjects(A, ['raw'], options))[0]?.[0], 1);
      // NOTE: damage after the read that a second read would refuse (see the test above); the
      // scope's promise says no one else writes meanwhile, so the update never looks again.
      const pack = join(basePath, 'storage', '00', `${A}.pack`);
      const bytes = await readFile(pack);
      bytes.writeUInt8(bytes.readUInt8(12) ^ 0xff, 12);
      await writeFile(pack, bytes);
      const [bundle] = await driver.readObjects(A, ['agg_1_0'], options);
      assert.deepEqual(bundle && [...bundle], [...tagged(2)]);
      await driver.updateObjects(A, { put: new Map([['raw', tagged(3)]]), remove: [] }, options);
      assert.deepEqual(await read(driver, ['raw', 'agg_1_0']), [[...tagged(3)], [...tagged(2)]]);
    } finally {
      await cleanup();
    }
  });

  it("updates a new metric from its scope's answer that it has no folder, without asking again", async () => {
    for (const scoped of [true, false]) {
      const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
      try {
        const options = scoped ? { scope: {} } : {};
        assert.deepEqual(await driver.readObjects(A, ['raw'], options), [undefined]);
        // NOTE: a folder of objects appearing after the read, which only another writer could
        // make: an update that asks again finds it and keeps its object, one through the scope
        // of that read builds on "no folder" (the object is then a leftover nobody reads).
        await mkdir(join(basePath, 'storage', '00', A), { recursive: true });
        await writeFile(join(basePath, 'storage', '00', A, 'agg_1_0'), tagged(2));
        await driver.updateObjects(A, { put: new Map([['raw', tagged(1)]]), remove: [] }, options);
        const kept = scoped ? undefined : [...tagged(2)];
        assert.deepEqual(await read(driver, ['raw', 'agg_1_0']), [[...tagged(1)], kept]);
      } finally {
        await cleanup();
      }
    }
  });

  it('reads an object its scope found in a file and gone since as missing, not looking again', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false, packLimits: small });
    const other = new FileStorageDriver({ basePath, fsync: false, packLimits: small });
    try {
      await put(driver, { agg_1_0: tagged(2), raw: tagged(1) });
      for (const scoped of [true, false]) {
        const options = scoped ? { scope: {} } : {};
        await put(driver, { agg_1_0: tagged(2), raw: tagged(1) });
        const [raw] = await driver.readObjects(A, ['raw'], options);
        assert.deepEqual(raw && [...raw], [...tagged(1)]);
        // NOTE: another writer packs the object its file held, and unlinks the file: a read
        // without a scope reads the new pack through; under a scope nobody else writes, so a
        // file gone is an object missing, and the pack is not read again for it.
        await other.updateObjects(A, { put: new Map([['agg_1_0', tagged(3, 4)]]), remove: [] });
        const [found] = await driver.readObjects(A, ['agg_1_0'], options);
        assert.deepEqual(found && [...found], scoped ? undefined : [...tagged(3, 4)]);
      }
    } finally {
      await other.close();
      await cleanup();
    }
  });

  it("reads through a snapshot from the pack its first read found, a moved file's object anew", async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false, packLimits: small });
    const other = new FileStorageDriver({ basePath, fsync: false, packLimits: small });
    try {
      await put(driver, { agg_1_0: tagged(2, 4), agg_1_3600: tagged(7), raw: tagged(1, 4) });
      for (const snapshot of [{}, undefined]) {
        const options = snapshot === undefined ? {} : { snapshot };
        await put(driver, { agg_1_0: tagged(2, 4), agg_1_3600: tagged(7), raw: tagged(1, 4) });
        const [raw] = await driver.readObjects(A, ['raw'], options);
        assert.deepEqual(raw && [...raw], [...tagged(1, 4)]);
        // NOTE: another writer rewrites the pack: a read through the snapshot answers from the
        // pack its first read found, a read without one reads the new pack.
        await other.updateObjects(A, { put: new Map([['raw', tagged(3, 4)]]), remove: [] });
        const [again] = await driver.readObjects(A, ['raw'], options);
        assert.deepEqual(again && [...again], snapshot ? [...tagged(1, 4)] : [...tagged(3, 4)]);
        // NOTE: then packs the object a file held and unlinks the file: both read it anew.
        await other.updateObjects(A, { put: new Map([['agg_1_3600', tagged(8, 4)]]), remove: [] });
        const [moved, later] = await driver.readObjects(A, ['agg_1_3600', 'raw'], options);
        assert.deepEqual(
          [moved && [...moved], later && [...later]],
          [[...tagged(8, 4)], [...tagged(3, 4)]],
        );
      }
    } finally {
      await other.close();
      await cleanup();
    }
  });

  it('reads a damaged byte among the data as a damage to that object alone', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await put(driver, { agg_1_0: tagged(2), raw: tagged(1) });
      const pack = join(basePath, 'storage', '00', `${A}.pack`);
      const bytes = await readFile(pack);
      const at = bytes.length - 1;
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
      await writeFile(pack, bytes);
      const [raw, agg] = await read(driver, ['raw', 'agg_1_0']);
      assert.deepEqual(raw, [...tagged(1)]);
      assert.deepEqual(agg, [...tagged(2).subarray(0, 15), 2 ^ 0xff]);
    } finally {
      await cleanup();
    }
  });

  it('applies concurrent updates of one metric one after the other', async () => {
    const { driver, cleanup } = await makeDriver({ fsync: false });
    try {
      const names = Array.from({ length: 20 }, (_, i) => `agg_1_${String(i)}`);
      await Promise.all(names.map((name, i) => put(driver, { [name]: tagged(i), raw: tagged(i) })));
      assert.deepEqual((await driver.listObjects(A)).sort(), [...names, 'raw'].sort());
    } finally {
      await cleanup();
    }
  });

  it('ignores a fence key and token: on files fencing is the service check alone', async () => {
    const { driver, cleanup } = await makeDriver({ fsync: false });
    try {
      const fence = { key: 'orzo:lock:nobody', token: 'none' };
      await driver.updateObjects(A, { put: new Map([['raw', tagged(4)]]), remove: [] }, { fence });
      assert.deepEqual([...((await driver.readObjects(A, ['raw']))[0] ?? [])], [...tagged(4)]);
    } finally {
      await cleanup();
    }
  });

  it('shares flushes among concurrent updates, a large group as one flush of the file system', async () => {
    const { driver, cleanup } = await makeDriver({ fsync: true });
    try {
      const ids = Array.from({ length: 40 }, () => crypto.randomUUID());
      const objects = (index: number) =>
        new Map([
          ['agg_60000000_0', tagged(index)],
          ['agg_3600000000_0', tagged(index + 1)],
          ['raw', tagged(index + 2)],
        ]);
      await Promise.all(
        ids.map((id, index) => driver.updateObjects(id, { put: objects(index), remove: [] })),
      );
      const figures = driver.flushFigures;
      assert.equal(figures.requests, 40, 'one flush asked for by each update');
      assert.ok(figures.groups < 40, `groups: ${String(figures.groups)}`);
      assert.ok(figures.fileSystemFlushes >= 1);
      for (const [index, id] of ids.entries()) {
        const read = await driver.readObjects(id, ['agg_60000000_0', 'raw']);
        assert.deepEqual(
          read.map((bytes) => [...(bytes ?? [])]),
          [[...tagged(index)], [...tagged(index + 2)]],
        );
      }
    } finally {
      await cleanup();
    }
  });
});
