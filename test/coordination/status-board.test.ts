/**
 * The file status board keeps publishing on a full disk: the status is written over the old one
 * in place, within the blocks the (padded) file already has.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import {
  FileStatusBoard,
  STATUS_PADDING,
  type MetricdStatus,
} from '../../src/coordination/index.ts';
import { IDLE_OPS, workerStatus } from '../support/metricd-status.ts';

function status(updatedAt: string, workers: number): MetricdStatus {
  return {
    reporter: {
      name: 'vm.1',
      host: 'vm',
      pid: 1,
      startedAt: '2026-12-04T10:00:00.000Z',
      updatedAt,
      tickSeconds: 1,
      blockSize: 1,
      backlog: { metrics: 0, batches: 0, measures: 0 },
      modules: {},
      ops: IDLE_OPS,
    },
    workers: Array.from({ length: workers }, (_, i) => workerStatus(`vm.1.worker-${i}`)),
  };
}

const noSpace = (): Promise<void> =>
  Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));

describe('FileStatusBoard', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-status-'));
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads back what it published, the file padded to a multiple of the padding', async () => {
    const board = new FileStatusBoard(dataDir);
    await board.publish(status('2026-12-04T10:00:01.000Z', 2));
    assert.equal((await board.read())?.reporter.updatedAt, '2026-12-04T10:00:01.000Z');
    const { size } = statSync(join(dataDir, 'metricd', 'status.json'));
    assert.equal(size % STATUS_PADDING, 0);
  });

  it('publishes in place when the disk is full, so workers do not read as dead', async () => {
    const full = new FileStatusBoard(dataDir, { replace: noSpace });
    await full.publish(status('2026-12-04T10:00:02.000Z', 3));
    const read = await new FileStatusBoard(dataDir).read();
    assert.equal(read?.reporter.updatedAt, '2026-12-04T10:00:02.000Z');
    assert.equal(read.workers.length, 3);
  });

  it('still fails when there is no file to write over, or for another error', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'orzo-status-'));
    try {
      const board = new FileStatusBoard(elsewhere, { replace: noSpace });
      await assert.rejects(board.publish(status('2026-12-04T10:00:03.000Z', 1)), {
        code: 'ENOSPC',
      });
      const broken = new FileStatusBoard(dataDir, {
        replace: () => Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' })),
      });
      await assert.rejects(broken.publish(status('2026-12-04T10:00:04.000Z', 1)), {
        code: 'EACCES',
      });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
