/**
 * The group-commit journal under real crashes: writers with `fsync` (the journaling mode) are
 * SIGKILLed at random moments while this process reads and deletes batches; then the journal's
 * recovery must hand back every acknowledged batch exactly once. A power cut is played by
 * damaging, after the kill, every batch file a surviving segment still vouches for (the files
 * never flushed), and recovering as a process of another boot.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';

import { FileIncomingDriver } from '../../src/ingest/file/file-incoming-driver.ts';
import { JOURNAL_FOLDER } from '../../src/ingest/file/incoming-journal.ts';
import { decodeSegment } from '../../src/ingest/file/journal-segment-codec.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { CRASH_TEST_SACKS } from './support/crash-batches.ts';
import { drainOnce, startWriter } from './support/file-writer.ts';

const ROUNDS = 5;

async function journalNames(basePath: string): Promise<string[]> {
  return readdir(join(basePath, 'incoming', JOURNAL_FOLDER)).catch(() => []);
}

describe('incoming journal under SIGKILL and power cuts', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(
    'hands back every acknowledged batch exactly once after its writers are killed',
    { timeout: 120_000 },
    async () => {
      const basePath = await mkdtemp(join(tmpdir(), 'orzo-journal-crash-'));
      cleanups.push(() => rm(basePath, { recursive: true, force: true }));
      const reader = new FileIncomingDriver({ basePath });
      await reader.setSackCount(CRASH_TEST_SACKS);
      const random = mulberry32(4_242);
      const acknowledged = new Set<number>();
      const seen = new Set<number>();
      for (let round = 0; round < ROUNDS; round++) {
        const child = startWriter(basePath, round * 1_000_000, true);
        await child.ready;
        const state = { reading: true };
        const draining = (async () => {
          while (state.reading) await drainOnce(reader, seen);
        })();
        await sleep(Math.floor(50 + random() * 300));
        child.process.kill('SIGKILL');
        await child.exited;
        state.reading = false;
        await draining;
        for (const tag of child.acknowledged()) acknowledged.add(tag);
      }
      assert.ok((await journalNames(basePath)).length > 0, 'the killed writers left segments');
      await reader.close();
      // NOTE: a new process recovers the dead writers' segments before its first read.
      const recoverer = new FileIncomingDriver({ basePath });
      try {
        await drainOnce(recoverer, seen);
      } finally {
        await recoverer.close();
      }
      assert.deepEqual(await journalNames(basePath), []);
      assert.deepEqual(
        [...acknowledged].filter((tag) => !seen.has(tag)),
        [],
      );
      assert.ok(acknowledged.size > 0);
    },
  );

  it(
    'rebuilds the batch files a power cut damaged, from the journal',
    { timeout: 60_000 },
    async () => {
      const basePath = await mkdtemp(join(tmpdir(), 'orzo-journal-power-'));
      cleanups.push(() => rm(basePath, { recursive: true, force: true }));
      const setup = new FileIncomingDriver({ basePath, fsync: false });
      await setup.setSackCount(CRASH_TEST_SACKS);
      const child = startWriter(basePath, 0, true, 'boot-before-the-cut');
      await child.ready;
      await sleep(300);
      child.process.kill('SIGKILL');
      await child.exited;
      const acknowledged = child.acknowledged();
      assert.ok(acknowledged.length > 0, 'the writer acknowledged nothing');
      let damaged = 0;
      const journal = join(basePath, 'incoming', JOURNAL_FOLDER);
      for (const name of await journalNames(basePath)) {
        const segment = decodeSegment(await readFile(join(journal, name)));
        for (const { path } of segment?.records ?? []) {
          const file = join(basePath, 'incoming', path);
          await (damaged++ % 2 === 0 ? truncate(file, 0) : unlink(file));
        }
      }
      assert.ok(damaged > 0, 'no batch file was left unflushed');
      const recoverer = new FileIncomingDriver({ basePath, bootId: 'boot-after-the-cut' });
      const seen = new Set<number>();
      try {
        await drainOnce(recoverer, seen);
      } finally {
        await recoverer.close();
      }
      assert.deepEqual(
        acknowledged.filter((tag) => !seen.has(tag)),
        [],
      );
      assert.deepEqual(await journalNames(basePath), []);
    },
  );
});
