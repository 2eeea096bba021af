/**
 * Crash safety of the file driver with real processes: a child writes batches in a loop and
 * reports each one after its write resolved; it is SIGKILLed at random moments, round after
 * round, while this process reads and deletes batches. Every reported batch must be read in full,
 * and no partial or temporary batch may ever be read.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';

import { FileIncomingDriver } from '../../src/ingest/file/file-incoming-driver.ts';
import { decodeMeasureBatch } from '../../src/ingest/measure-batch-codec.ts';
import { allSacks } from '../../src/ingest/sack.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { CRASH_TEST_SACKS, tagOfBatch } from './support/crash-batches.ts';

const CHILD = join(import.meta.dirname, 'support', 'file-writer-child.ts');
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

/** Reads and deletes every batch once, checking each is whole and new. */
async function drainOnce(driver: FileIncomingDriver, seen: Set<number>): Promise<void> {
  for (const sack of allSacks(CRASH_TEST_SACKS)) {
    for (const metricId of await driver.listMetrics(sack)) {
      const batches = await driver.readBatches(sack, metricId);
      for (const { data } of batches) {
        const tag = tagOfBatch(decodeMeasureBatch(data), metricId);
        assert.equal(typeof tag, 'number', `read a broken batch: ${tag}`);
        assert.equal(seen.has(tag as number), false, `read batch ${tag} twice`);
        seen.add(tag as number);
      }
      await driver.deleteBatches(
        sack,
        metricId,
        batches.map((b) => b.handle),
      );
    }
  }
}

function startWriter(basePath: string, firstTag: number, fsync: boolean) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, basePath, String(firstTag), fsync ? '1' : '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.once('exit', () => {
      reject(new Error(`writer exited early: ${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const acknowledged = () =>
    stdout
      .split('\n')
      .slice(1)
      // NOTE: a line cut by the kill has no newline after it and is not an acknowledgement.
      .slice(0, -1)
      .map(Number);
  return { process: child, ready, exited, acknowledged };
}
