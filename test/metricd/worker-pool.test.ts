/**
 * The reporter's worker pool with real worker processes (`orzo metricd-worker`) on an upgraded
 * data folder: blocks go out and come back done, a worker killed mid-block has its block handed
 * back and is replaced, and stopping drains every worker.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../../src/log/logger.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { WorkerPool } from '../../src/metricd/index.ts';
import { runOrzo } from '../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');
const SILENT: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('WorkerPool', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-pool-'));
  runOrzo(['upgrade', '--data-dir', dataDir]);
  const config = resolveConfig([{ dataDir, metricd: { workers: 1 } }]);
  const lost: string[][] = [];
  let idle = 0;
  const pool = new WorkerPool({
    config,
    name: 'test',
    logger: SILENT,
    spawn: () => fork(ORZO, ['metricd-worker'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    onIdle: () => idle++,
    onBlockLost: (metricIds) => lost.push([...metricIds]),
  });

  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands a block to a ready worker and gets it back done', async () => {
    pool.start();
    await until(() => pool.idleCount() === 1, 'the worker to be ready');
    const before = idle;
    assert.equal(pool.assign([crypto.randomUUID()]), true);
    assert.equal(pool.idleCount(), 0);
    assert.equal(pool.assign([crypto.randomUUID()]), false);
    await until(() => idle > before, 'the block to be done');
    assert.equal(pool.status()[0]!.blocksDone, 1);
    assert.deepEqual(lost, []);
  });

  it('hands back the block of a worker killed while on it, and replaces the worker', async () => {
    // NOTE: thousands of unknown metrics keep the worker busy long enough to be killed mid-block.
    const block = Array.from({ length: 5_000 }, () => crypto.randomUUID());
    assert.equal(pool.assign(block), true);
    const pid = pool.status()[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => lost.length === 1, 'the block to be handed back');
    assert.deepEqual(lost[0], block);
    await until(() => pool.idleCount() === 1, 'the replacement to be ready');
    const [worker] = pool.status();
    assert.equal(worker!.restarts, 1);
    assert.notEqual(worker!.pid, pid);
    assert.equal(worker!.alive, true);
  });

  it('drains and stops every worker', async () => {
    const pid = pool.status()[0]!.pid!;
    await pool.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    assert.equal(pool.idleCount(), 0);
  });
});
