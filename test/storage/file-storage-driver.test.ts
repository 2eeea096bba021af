import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { FileStorageDriver } from '../../src/storage/file/file-storage-driver.ts';
import { A, runStorageDriverSuite, tagged } from './storage-driver.suite.ts';

async function makeDriver(options: { fsync?: boolean } = {}) {
  const basePath = await mkdtemp(join(tmpdir(), 'orzo-storage-'));
  const driver = new FileStorageDriver({ basePath, fsync: options.fsync ?? true });
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
  const put = (driver: FileStorageDriver, entries: Record<string, Uint8Array>) =>
    driver.updateObjects(A, { put: new Map(Object.entries(entries)), remove: [] });

  it('keeps one flat folder per metric under DIR/storage/<shard>', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.init();
      await put(driver, { raw: tagged(1), agg_60000000_0: tagged(2) });
      assert.deepEqual(await readdir(join(basePath, 'storage')), ['00']);
      const folder = join(basePath, 'storage', '00', A);
      assert.deepEqual((await readdir(folder)).sort(), ['agg_60000000_0', 'raw']);
      await driver.deleteMetric(A);
      assert.deepEqual(await readdir(join(basePath, 'storage', '00')), []);
    } finally {
      await cleanup();
    }
  });

  it('never lists a temporary file left by a crash, and sweeps stale ones', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await put(driver, { raw: tagged(1) });
      const folder = join(basePath, 'storage', '00', A);
      await writeFile(join(folder, '.tmp-fresh'), 'partial');
      await writeFile(join(folder, '.tmp-stale'), 'partial');
      await utimes(join(folder, '.tmp-stale'), new Date(0), new Date(0));
      assert.deepEqual(await driver.listObjects(A), ['raw']);
      await assert.rejects(stat(join(folder, '.tmp-stale')), { code: 'ENOENT' });
      assert.deepEqual((await readdir(folder)).sort(), ['.tmp-fresh', 'raw']);
      await put(driver, { raw: tagged(2) });
      assert.deepEqual([...((await driver.readObjects(A, ['raw']))[0] ?? [])], [...tagged(2)]);
      await driver.deleteMetric(A);
      await assert.rejects(stat(folder), { code: 'ENOENT' });
    } finally {
      await cleanup();
    }
  });

  it('leaves no temporary file and an untouched last object after a failed update', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await put(driver, { raw: tagged(1) });
      const folder = join(basePath, 'storage', '00', A);
      // NOTE: a non-empty folder where an object should go makes its rename fail.
      await mkdir(join(folder, 'agg_1_0', 'sub'), { recursive: true });
      await assert.rejects(put(driver, { agg_1_0: tagged(2), raw: tagged(3) }));
      assert.deepEqual((await readdir(folder)).sort(), ['agg_1_0', 'raw']);
      assert.deepEqual([...((await driver.readObjects(A, ['raw']))[0] ?? [])], [...tagged(1)]);
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
      assert.equal(figures.requests, 80, 'two flushes asked for by each update');
      assert.ok(figures.groups < 80, `groups: ${String(figures.groups)}`);
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
