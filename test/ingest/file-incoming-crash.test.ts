/**
 * Crash safety of the file driver with real processes: a child writes batches in a loop and
 * reports each one after its write resolved; it is SIGKILLed at random moments, round after
 * round, while this process reads and deletes batches. Every reported batch must be read in full,
 * and no partial or temporary batch may ever be read.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';

import { FileIncomingDriver } from '../../src/ingest/file/file-incoming-driver.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { CRASH_TEST_SACKS } from './support/crash-batches.ts';
import { drainOnce, startWriter } from './support/file-writer.ts';
const ROUNDS = 6;

describe('file incoming driver under SIGKILL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(
    'loses no acknowledged batch and never shows a partial one',
    { timeout: 120_000 },
    async () => {
      const basePath = await mkdtemp(join(tmpdir(), 'orzo-crash-'));
      cleanups.push(() => rm(basePath, { recursive: true, force: true }));
      const driver = new FileIncomingDriver({ basePath, fsync: false });
      await driver.setSackCount(CRASH_TEST_SACKS);
      const random = mulberry32(20_150_306);
      const acknowledged = new Set<number>();
      const seen = new Set<number>();
      for (let round = 0; round < ROUNDS; round++) {
        const child = startWriter(basePath, round * 1_000_000, round % 2 === 1);
        await child.ready;
        const killAfter = Math.floor(20 + random() * 300);
        const state = { reading: true };
        const reader = (async () => {
          while (state.reading) await drainOnce(driver, seen);
        })();
        await sleep(killAfter);
        child.process.kill('SIGKILL');
        await child.exited;
        state.reading = false;
        await reader;
        for (const tag of child.acknowledged()) acknowledged.add(tag);
        assert.ok(child.acknowledged().length > 0 || round > 0, 'the writer acknowledged nothing');
      }
      await drainOnce(driver, seen);
      const lost = [...acknowledged].filter((tag) => !seen.has(tag));
      assert.deepEqual(lost, []);
      assert.ok(acknowledged.size > 0);
    },
  );
});
