import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';

import {
  IncomingJournal,
  JOURNAL_FOLDER,
  type IncomingJournalOptions,
  type JournalRecord,
} from '../../src/ingest/file/incoming-journal.ts';
import {
  decodeSegment,
  encodeRecords,
  encodeSegmentHeader,
} from '../../src/ingest/file/journal-segment-codec.ts';
import {
  closeOwner,
  isOwnerRunning,
  openOwner,
  parseJournalName,
  segmentFileName,
  claimFileName,
} from '../../src/ingest/file/journal-segment-name.ts';
import { ownProcessStartTicks } from '../../src/ingest/file/process-identity.ts';

const BOOT = '11111111-2222-3333-4444-555555555555';
const OTHER_BOOT = '99999999-2222-3333-4444-555555555555';

async function withRoot(run: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'orzo-journal-'));
  try {
    await run(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function journalOf(root: string, options: Partial<IncomingJournalOptions> = {}): IncomingJournal {
  return new IncomingJournal({
    root,
    bootId: BOOT,
    placeRecords: (paths) => Promise.resolve(paths.map((path) => join(root, path))),
    ...options,
  });
}

function recordOf(index: number): JournalRecord {
  const metric = `00000000-0000-0000-0000-${String(index % 7).padStart(12, '0')}`;
  return {
    path: `incoming8-${index % 8}/${metric}/20260101T000000000_${index}_1`,
    data: Buffer.from(`batch ${index}`),
  };
}

/** Writes the batch files of records, as the driver does before it journals them. */
async function writeFiles(root: string, records: readonly JournalRecord[]): Promise<void> {
  for (let sack = 0; sack < 8; sack++)
    await mkdir(join(root, `incoming8-${sack}`), { recursive: true });
  for (const { path, data } of records) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), data);
  }
}

async function journalNames(root: string): Promise<string[]> {
  try {
    return await readdir(join(root, JOURNAL_FOLDER));
  } catch {
    return [];
  }
}

/** Leaves a segment as a writer that died would: its records, under a pid that is not running. */
async function orphanSegment(root: string, bootId: string, records: JournalRecord[]) {
  const name = `${bootId.replaceAll('-', '')}_999999999_1_deadbeef-00000000.wal`;
  await mkdir(join(root, JOURNAL_FOLDER), { recursive: true });
  await writeFile(
    join(root, JOURNAL_FOLDER, name),
    Buffer.concat([encodeSegmentHeader(bootId), encodeRecords(records)]),
  );
  return name;
}

describe('journal segment names', () => {
  it('name their owner, and a claim names its claimer too', () => {
    const owner = openOwner(BOOT);
    const claimer = openOwner(BOOT);
    try {
      const segment = segmentFileName(owner, 7);
      assert.deepEqual(parseJournalName(segment), {
        kind: 'segment',
        segment: segment.slice(0, -'.wal'.length),
        owner,
      });
      const claim = claimFileName(segment.slice(0, -'.wal'.length), claimer);
      assert.deepEqual(parseJournalName(claim), {
        kind: 'claim',
        segment: segment.slice(0, -'.wal'.length),
        owner,
        claimer,
      });
      assert.equal(parseJournalName('.tmp-1234'), undefined);
    } finally {
      closeOwner(owner);
      closeOwner(claimer);
    }
  });

  it('tell a running writer from a closed, recycled or earlier-boot one', () => {
    const owner = openOwner(BOOT);
    assert.equal(isOwnerRunning(owner, BOOT), true);
    closeOwner(owner);
    assert.equal(isOwnerRunning(owner, BOOT), false, 'a closed journal of this process');
    const parent = { ...owner, pid: process.ppid };
    assert.equal(isOwnerRunning({ ...parent, startTicks: '1' }, BOOT), false, 'a recycled pid');
    assert.equal(isOwnerRunning({ ...owner, bootId: 'other' }, BOOT), false, 'another boot');
    assert.equal(ownProcessStartTicks() !== '0', true);
  });
});

describe('incoming journal', () => {
  it('shares one flush among concurrent appends, and leaves nothing behind once closed', async () => {
    await withRoot(async (root) => {
      const journal = journalOf(root);
      const records = Array.from({ length: 200 }, (_, index) => recordOf(index));
      await writeFiles(root, records);
      await Promise.all(records.map((record) => journal.append([record])));
      assert.ok(journal.commits < 50, `${journal.commits} flushes for 200 appends`);
      const [segment] = await journalNames(root);
      const decoded = decodeSegment(await readFile(join(root, JOURNAL_FOLDER, segment as string)));
      assert.deepEqual(
        decoded?.records.map((record) => record.path).sort(),
        records.map((record) => record.path).sort(),
      );
      await journal.close();
      assert.deepEqual(await journalNames(root), []);
      assert.equal(await readFile(join(root, records[3]?.path as string), 'utf8'), 'batch 3');
      await assert.rejects(journal.append([recordOf(1)]), /closed/);
    });
  });

  it('checkpoints a retired segment and drops it, while still open', async () => {
    await withRoot(async (root) => {
      const journal = journalOf(root, { rotateMs: 10, sweepMs: 10, checkpointAfterMs: 30 });
      try {
        const records = [recordOf(1), recordOf(2)];
        await writeFiles(root, records);
        await journal.append(records);
        assert.equal((await journalNames(root)).length, 1);
        await unlink(join(root, records[1]?.path as string));
        for (let wait = 0; wait < 100 && (await journalNames(root)).length > 0; wait++) {
          await sleep(10);
        }
        assert.deepEqual(await journalNames(root), []);
        assert.equal(await readFile(join(root, records[0]?.path as string), 'utf8'), 'batch 1');
        await assert.rejects(readFile(join(root, records[1]?.path as string)), { code: 'ENOENT' });
      } finally {
        await journal.close();
      }
    });
  });

  it("recovers a dead writer's segment of this boot without resurrecting consumed batches", async () => {
    await withRoot(async (root) => {
      const records = [recordOf(1), recordOf(2), recordOf(3)];
      await writeFiles(root, records.slice(0, 2));
      await orphanSegment(root, BOOT, records);
      const journal = journalOf(root);
      try {
        assert.equal(await journal.recoverOrphans(), 1);
        assert.deepEqual(await journalNames(root), []);
        assert.equal(await readFile(join(root, records[1]?.path as string), 'utf8'), 'batch 2');
        await assert.rejects(readFile(join(root, records[2]?.path as string)), { code: 'ENOENT' });
        assert.equal(await journal.recoverOrphans(), 0);
      } finally {
        await journal.close();
      }
    });
  });

  it('writes every batch of a segment again after a restart of the machine', async () => {
    await withRoot(async (root) => {
      const records = [recordOf(1), recordOf(2), recordOf(3)];
      await writeFiles(root, records);
      // NOTE: what a power cut does to files never flushed: emptied, or gone.
      await writeFile(join(root, records[0]?.path as string), '');
      await unlink(join(root, records[1]?.path as string));
      await orphanSegment(root, OTHER_BOOT, records);
      const journal = journalOf(root);
      try {
        assert.equal(await journal.recoverOrphans(), 1);
        for (const [index, { path }] of records.entries()) {
          assert.equal(await readFile(join(root, path), 'utf8'), `batch ${index + 1}`);
        }
        assert.deepEqual(await journalNames(root), []);
      } finally {
        await journal.close();
      }
    });
  });

  it("leaves a running writer's segments alone and takes over a dead recoverer's claim", async () => {
    await withRoot(async (root) => {
      const writer = journalOf(root);
      const recoverer = journalOf(root);
      try {
        await writeFiles(root, [recordOf(1)]);
        await writer.append([recordOf(1)]);
        assert.equal(await recoverer.recoverOrphans(), 0);
        assert.equal((await journalNames(root)).length, 1);
        const orphan = await orphanSegment(root, OTHER_BOOT, [recordOf(2)]);
        const deadClaimer = `${OTHER_BOOT.replaceAll('-', '')}_999999998_1_cafebabe`;
        await writeFile(
          join(root, JOURNAL_FOLDER, `${orphan}.${deadClaimer}.claim`),
          await readFile(join(root, JOURNAL_FOLDER, orphan)),
        );
        await unlink(join(root, JOURNAL_FOLDER, orphan));
        assert.equal(await recoverer.recoverOrphans(), 1);
        assert.equal(await readFile(join(root, recordOf(2).path), 'utf8'), 'batch 2');
      } finally {
        await writer.close();
        await recoverer.close();
      }
      assert.deepEqual(await journalNames(root), []);
    });
  });
});
