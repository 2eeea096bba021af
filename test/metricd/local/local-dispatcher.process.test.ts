/**
 * Local dispatch with real worker processes (`orzo metricd-worker`) on an upgraded data folder,
 * through the supervisor: blocks go out and come back done, a worker killed mid-block has its
 * block handed back and is replaced, and stopping drains every worker.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { resolveConfig } from '../../../src/config/index.ts';
import type { Logger } from '../../../src/log/logger.ts';
import { LocalDispatcher, WorkerSupervisor } from '../../../src/metricd/index.ts';
import { runOrzo } from '../../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', '..', 'bin', 'orzo.js');
const SILENT: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('LocalDispatcher with real workers', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-pool-'));
  runOrzo(['upgrade', '--data-dir', dataDir]);
  const config = resolveConfig([{ dataDir, metricd: { workers: 1 } }]);
  let scansRequested = 0;
  const supervisor = new WorkerSupervisor({
    config,
    name: 'test',
    logger: SILENT,
    spawn: () => fork(ORZO, ['metricd-worker'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  });
  const dispatcher = new LocalDispatcher({
    supervisor,
    // NOTE: the blocks here are handed out by hand; nothing is ever listed as waiting.
    incoming: { sackCount: () => Promise.resolve(1), listMetrics: () => Promise.resolve([]) },
    config: config.metricd,
  });

  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands a block to a ready worker and gets it back done', async () => {
    await dispatcher.start({
      requestScan: () => {
        scansRequested++;
      },
    });
    await until(() => dispatcher.idleCount() === 1, 'the worker to be ready');
    const before = scansRequested;
    assert.equal(dispatcher.assign(undefined, [crypto.randomUUID()]), true);
    assert.equal(dispatcher.idleCount(), 0);
    assert.equal(dispatcher.assign(undefined, [crypto.randomUUID()]), false);
    await until(() => scansRequested > before, 'the block to be done');
    const { workers } = await dispatcher.status();
    assert.equal(workers[0]!.blocksDone, 1);
    assert.deepEqual(dispatcher.queued(), []);
  });

  it('hands back the block of a worker killed while on it, and replaces the worker', async () => {
    // NOTE: thousands of unknown metrics keep the worker busy long enough to be killed mid-block.
    const block = Array.from({ length: 5_000 }, () => crypto.randomUUID());
    assert.equal(dispatcher.assign(undefined, block), true);
    const pid = supervisor.status()[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => dispatcher.queued().length > 0, 'the block to be handed back');
    // NOTE: the replacement may take the block again as soon as it is ready; the list had it whole.
    assert.deepEqual([...dispatcher.queued()], block);
    await until(() => supervisor.isReady(0), 'the replacement to be ready');
    const [worker] = supervisor.status();
    assert.equal(worker!.restarts, 1);
    assert.notEqual(worker!.pid, pid);
    assert.equal(worker!.alive, true);
  });

  it('drains and stops every worker', async () => {
    const pid = supervisor.status()[0]!.pid!;
    await supervisor.stop();
    await dispatcher.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    assert.equal(dispatcher.idleCount(), 0);
  });
});
