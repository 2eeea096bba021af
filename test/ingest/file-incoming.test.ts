import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { IncomingNotInitializedError } from '../../src/ingest/errors.ts';
import { Incoming } from '../../src/ingest/incoming.ts';
import { FileIncomingDriver } from '../../src/ingest/file/file-incoming-driver.ts';
import { JOURNAL_FOLDER } from '../../src/ingest/file/incoming-journal.ts';
import { encodeRecords, encodeSegmentHeader } from '../../src/ingest/file/journal-segment-codec.ts';
import { decodeTag, runIncomingDriverSuite, taggedBatch } from './incoming-driver.suite.ts';

async function makeDriver(options: { fsync?: boolean } = {}) {
  const basePath = await mkdtemp(join(tmpdir(), 'orzo-incoming-'));
  const driver = new FileIncomingDriver({ basePath, fsync: options.fsync ?? true });
  return {
    driver,
    basePath,
    cleanup: async () => {
      await driver.close();
      await rm(basePath, { recursive: true, force: true });
    },
  };
}

runIncomingDriverSuite('file', () => makeDriver());

describe('file incoming driver', () => {
  const A = '00000000-0000-0000-0000-000000000001';
  const B = '00000000-0000-0000-0000-000000000005';

  it('keeps Gnocchi-style sack folders and a JSON sack count under DIR/incoming', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.setSackCount(2);
      assert.deepEqual((await readdir(join(basePath, 'incoming'))).sort(), [
        'config.json',
        'incoming2-0',
        'incoming2-1',
      ]);
      await driver.setSackCount(3);
      assert.deepEqual((await readdir(join(basePath, 'incoming'))).sort(), [
        'config.json',
        'incoming3-0',
        'incoming3-1',
        'incoming3-2',
      ]);
    } finally {
      await cleanup();
    }
  });

  it('never lists a temporary file, and sweeps stale ones', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.setSackCount(4);
      const batch = taggedBatch(A, 1);
      await driver.addBatches([batch]);
      const folder = join(basePath, 'incoming', 'incoming4-1');
      const fresh = join(folder, '.tmp-fresh');
      const stale = join(folder, '.tmp-stale');
      await writeFile(fresh, 'partial');
      await writeFile(stale, 'partial');
      await utimes(stale, new Date(0), new Date(0));
      const read = await driver.readBatches(batch.sack, A);
      assert.equal(read.length, 1);
      await assert.rejects(stat(stale), { code: 'ENOENT' });
      await driver.deleteBatches(
        batch.sack,
        A,
        read.map((b) => b.handle),
      );
      // NOTE: the fresh temporary file may belong to a live writer.
      assert.deepEqual(await readdir(folder), ['.tmp-fresh']);
      assert.deepEqual(await driver.listMetrics(batch.sack), []);
    } finally {
      await cleanup();
    }
  });

  it('passes over a batch file shorter than its name says, and reports it corrupt once stale', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      const incoming = new Incoming(driver);
      await incoming.upgrade(4);
      const whole = taggedBatch(A, 1);
      await driver.addBatches([whole]);
      const folder = join(basePath, 'incoming', 'incoming4-1');
      // NOTE: named as a writer names its batches, and written as far as a write cut off gets.
      const cut = taggedBatch(A, 2).data;
      const writing = `${A}_20150306T143357123_0b5e6a4f-6c39-4c4e-9b7a-3f0d3c1f2a11_3`;
      const dead = `${A}_20150306T143357124_0b5e6a4f-6c39-4c4e-9b7a-3f0d3c1f2a12_3`;
      await writeFile(join(folder, writing), cut.subarray(0, cut.length - 1));
      await writeFile(join(folder, dead), new Uint8Array(0));
      await utimes(join(folder, dead), new Date(0), new Date(0));
      const pending = await incoming.readPending(A);
      // NOTE: the fresh one may still be being written; the stale one's writer died.
      assert.deepEqual(pending.handles, [
        dead,
        (await driver.listBatches(whole.sack)).get(A)!.at(-1),
      ]);
      assert.deepEqual(
        pending.corrupt.map(({ handle }) => handle),
        [dead],
      );
      assert.deepEqual([...pending.measures.values], [1, 1, 1]);
      await incoming.deletePending(A, pending.handles);
      assert.deepEqual(await readdir(folder), [writing]);
      await writeFile(join(folder, writing), cut);
      assert.deepEqual(
        (await driver.readBatches(whole.sack, A)).map(({ data }) => decodeTag(data)),
        [2],
      );
    } finally {
      await cleanup();
    }
  });

  it('keeps batches flat in their sack folder, named by metric', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.setSackCount(4);
      await driver.addBatches([taggedBatch(A, 1), taggedBatch(B, 2)]);
      const names = await readdir(join(basePath, 'incoming', 'incoming4-1'));
      assert.deepEqual(names.map((name) => name.slice(0, 37)).sort(), [`${A}_`, `${B}_`]);
      assert.ok(
        names.every((name) => /_\d{8}T\d{9}_[0-9a-f-]{36}_3$/.test(name)),
        names.join(),
      );
    } finally {
      await cleanup();
    }
  });

  it('moves the batches of an older per-metric folder flat, flushed, once listed', async () => {
    const { driver, basePath, cleanup } = await makeDriver();
    try {
      await driver.setSackCount(4);
      const sack = join(basePath, 'incoming', 'incoming4-1');
      const batch = taggedBatch(A, 7);
      const old = '20150306T143357123_0b5e6a4f-6c39-4c4e-9b7a-3f0d3c1f2a11_3';
      await mkdir(join(sack, A));
      await writeFile(join(sack, A, old), batch.data);
      await writeFile(join(sack, A, '.tmp-stale'), 'partial');
      await utimes(join(sack, A, '.tmp-stale'), new Date(0), new Date(0));
      assert.deepEqual(await driver.listMetrics(batch.sack), [A]);
      assert.deepEqual(await readdir(sack), [`${A}_${old}`]);
      const read = await driver.readBatches(batch.sack, A);
      assert.deepEqual(
        read.map(({ data }) => decodeTag(data)),
        [7],
      );
      assert.equal((await driver.backlog(4)).measures, 3);
    } finally {
      await cleanup();
    }
  });

  it("places a dead writer's journal records of the older layout flat", async () => {
    const { driver, basePath, cleanup } = await makeDriver();
    try {
      await driver.setSackCount(4);
      const batch = taggedBatch(A, 5);
      const old = '20150306T143357123_0b5e6a4f-6c39-4c4e-9b7a-3f0d3c1f2a11_3';
      // NOTE: a segment of a writer that died before a restart (another boot): its files may
      // be gone, so recovery writes every record again, where it now belongs.
      const journal = join(basePath, 'incoming', JOURNAL_FOLDER);
      await mkdir(journal, { recursive: true });
      await writeFile(
        join(journal, `${'9'.repeat(32)}_999999999_1_deadbeef-00000000.wal`),
        Buffer.concat([
          encodeSegmentHeader('99999999-2222-3333-4444-555555555555'),
          encodeRecords([{ path: `incoming4-1/${A}/${old}`, data: batch.data }]),
        ]),
      );
      assert.deepEqual(await driver.listMetrics(batch.sack), [A]);
      assert.deepEqual(await readdir(join(basePath, 'incoming', 'incoming4-1')), [`${A}_${old}`]);
      assert.deepEqual(await readdir(journal), []);
    } finally {
      await cleanup();
    }
  });

  it('fails loudly when writing to a sack folder that is gone', async () => {
    const { driver, basePath, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.setSackCount(4);
      await rm(join(basePath, 'incoming', 'incoming4-1'), { recursive: true });
      await assert.rejects(driver.addBatches([taggedBatch(A, 1)]), IncomingNotInitializedError);
    } finally {
      await cleanup();
    }
  });

  it('loses nothing when writes, reads and deletes of one metric interleave', async () => {
    const { driver, cleanup } = await makeDriver({ fsync: false });
    try {
      await driver.setSackCount(4);
      const sack = taggedBatch(A, 0).sack;
      const seen = new Set<number>();
      const rounds = Array.from({ length: 50 }, async (_, i) => {
        await driver.addBatches([taggedBatch(A, i + 1)]);
        const read = await driver.readBatches(sack, A);
        for (const { data } of read) seen.add(decodeTag(data));
        await driver.deleteBatches(
          sack,
          A,
          read.map((b) => b.handle),
        );
      });
      await Promise.all(rounds);
      for (const { data } of await driver.readBatches(sack, A)) seen.add(decodeTag(data));
      assert.equal(seen.size, 50);
    } finally {
      await cleanup();
    }
  });
});
