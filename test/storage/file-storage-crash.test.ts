/**
 * Crash safety of the file storage driver with real processes: a child updates one metric's
 * objects in a loop and reports each update once resolved; it is SIGKILLed at random moments.
 * Every object must then be whole, `raw` (written last) never newer than any other object, and
 * no older than the last reported update.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';

import { FileStorageDriver } from '../../src/storage/file/file-storage-driver.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { CRASH_BUNDLES, CRASH_METRIC, generationOf } from './support/crash-objects.ts';

const CHILD = join(import.meta.dirname, 'support', 'storage-writer-child.ts');
const ROUNDS = 5;

describe('file storage driver under SIGKILL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(
    'leaves every object whole and raw never ahead of the others',
    { timeout: 60_000 },
    async () => {
      const basePath = await mkdtemp(join(tmpdir(), 'orzo-storage-crash-'));
      cleanups.push(() => rm(basePath, { recursive: true, force: true }));
      const driver = new FileStorageDriver({ basePath, fsync: false });
      const random = mulberry32(20_240_229);
      let acknowledged = -1;
      for (let round = 0; round < ROUNDS; round++) {
        const child = startWriter(basePath, round * 1_000_000, round % 2 === 1);
        await child.ready;
        await sleep(Math.floor(20 + random() * 200));
        child.process.kill('SIGKILL');
        await child.exited;
        acknowledged = Math.max(acknowledged, ...child.acknowledged());
        const names = [...CRASH_BUNDLES, 'raw'];
        const read = await driver.readObjects(CRASH_METRIC, names);
        const whole = read.map((bytes, index) => bytes && generationOf(bytes, index));
        assert.ok(
          whole.every((g, index) => (g === undefined) === (read[index] === undefined)),
          `a torn object: ${JSON.stringify(whole)}`,
        );
        const raw = whole.at(-1);
        if (acknowledged >= 0)
          assert.ok(raw !== undefined && raw >= acknowledged, `raw ${raw} is stale`);
        if (raw === undefined) continue;
        for (const generation of whole) assert.ok(generation !== undefined && generation >= raw);
        assert.deepEqual((await driver.listObjects(CRASH_METRIC)).sort(), names.sort());
      }
      assert.ok(acknowledged >= 0, 'the writer acknowledged nothing');
    },
  );
});

describe('file storage driver read while another process writes', () => {
  it(
    'reads every object whole, all from one write, never behind a write acknowledged before',
    { timeout: 60_000 },
    async () => {
      const basePath = await mkdtemp(join(tmpdir(), 'orzo-storage-race-'));
      const driver = new FileStorageDriver({ basePath, fsync: false });
      const child = startWriter(basePath, 1, false);
      try {
        await child.ready;
        const names = [...CRASH_BUNDLES, 'raw'];
        let reads = 0;
        let changes = 0;
        let last = -1;
        const until = Date.now() + 1_500;
        while (Date.now() < until) {
          // NOTE: the child acknowledges in order: its last line is its newest write.
          const acknowledged = child.acknowledged().at(-1) ?? -1;
          const read = await driver.readObjects(CRASH_METRIC, names);
          reads++;
          if (read.every((bytes) => bytes === undefined)) continue;
          const generations = read.map((bytes, index) => bytes && generationOf(bytes, index));
          const [first] = generations;
          assert.ok(
            first !== undefined && generations.every((g) => g === first),
            `a torn or mixed read: ${JSON.stringify(generations)}`,
          );
          assert.ok(first >= acknowledged, `read ${first} after ${acknowledged} was acknowledged`);
          if (first !== last) changes++;
          last = first;
          // NOTE: a turn of the event loop, for the child's acknowledgements to come in.
          await sleep(0);
        }
        assert.ok(changes > 10, `the reads saw ${changes} writes in ${reads} reads`);
      } finally {
        child.process.kill('SIGKILL');
        await child.exited;
        await rm(basePath, { recursive: true, force: true });
      }
    },
  );
});

function startWriter(basePath: string, first: number, fsync: boolean) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, basePath, String(first), fsync ? '1' : '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let buffered = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      if (line === 'ready') onReady();
      else lines.push(line);
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    process: child,
    ready,
    exited,
    acknowledged: () => lines.map(Number),
  };
}
