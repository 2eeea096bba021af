import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { FileMetricLocks } from '../../src/lock/index.ts';
import { runMetricLocksSuite } from './metric-locks.suite.ts';

const METRIC = '0b3c4f0e-6f1a-4c8e-9a57-3f1d2b7c9e10';
const OTHER = '5d2e8a41-1c7b-4f3e-8d6a-9b0c2e4f6a81';
const CHILD = join(import.meta.dirname, 'support', 'lock-holder-child.ts');

runMetricLocksSuite('file', async () => {
  const basePath = await mkdtemp(join(tmpdir(), 'orzo-locks-'));
  return {
    locks: new FileMetricLocks({ basePath }),
    rival: new FileMetricLocks({ basePath }),
    cleanup: () => rm(basePath, { recursive: true, force: true }),
  };
});

describe('FileMetricLocks', () => {
  const basePath = mkdtempSync(join(tmpdir(), 'orzo-locks-'));
  after(() => {
    rmSync(basePath, { recursive: true, force: true });
  });

  it('offers no fence key: nothing can check a lock folder atomically with a write', async () => {
    const held = await new FileMetricLocks({ basePath }).tryAcquire(METRIC);
    assert.ok(held);
    assert.equal(held.fence, undefined);
    await held.release();
  });

  it('excludes another process, and takes over from a killed one once stale', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, basePath, METRIC, '2000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    assert.equal(line.toString().trim(), 'locked');
    const locks = new FileMetricLocks({ basePath, staleMs: 2_000 });
    assert.equal(await locks.tryAcquire(METRIC), undefined);
    child.kill('SIGKILL');
    await once(child, 'exit');
    // NOTE: the killed holder no longer refreshes its lock; it is free once 2 s stale.
    const taken = await locks.acquire(METRIC, 10_000);
    assert.ok(taken);
    await taken.release();
  });

  it('tells the holder when its lock folder was taken away', async () => {
    const lostIds: string[] = [];
    const locks = new FileMetricLocks({
      basePath,
      staleMs: 2_000,
      onLost: (id) => lostIds.push(id),
    });
    const held = await locks.tryAcquire(OTHER);
    assert.ok(held);
    rmSync(join(basePath, 'locks', `${OTHER}.lock`), { recursive: true });
    for (let i = 0; i < 40 && !held.lost; i++) await sleep(100);
    assert.equal(held.lost, true);
    assert.deepEqual(lostIds, [OTHER]);
    await held.release();
  });
});
