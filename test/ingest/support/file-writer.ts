/** Drives `file-writer-child.ts` for the crash tests, and reads back what it wrote. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { FileIncomingDriver } from '../../../src/ingest/file/file-incoming-driver.ts';
import { decodeMeasureBatch } from '../../../src/ingest/measure-batch-codec.ts';
import { allSacks } from '../../../src/ingest/sack.ts';
import { CRASH_TEST_SACKS, tagOfBatch } from './crash-batches.ts';

const CHILD = join(import.meta.dirname, 'file-writer-child.ts');

/** Reads and deletes every batch once, checking each is whole and new. */
export async function drainOnce(driver: FileIncomingDriver, seen: Set<number>): Promise<void> {
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

export function startWriter(basePath: string, firstTag: number, fsync: boolean, bootId?: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      basePath,
      String(firstTag),
      fsync ? '1' : '0',
      ...(bootId === undefined ? [] : [bootId]),
    ],
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
  // NOTE: 'close', once stdout is read to the end: the acknowledgements printed just before a
  // kill must all be counted, and 'exit' can come before them.
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
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
