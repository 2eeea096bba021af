/**
 * Dispatch under Redis coordination against an in-memory queue, report board and election written
 * here (the real ones have their own tests against Redis): sizing by every host's slots, queued
 * blocks left out until they finish, the read-back after a takeover, and the status.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { emptyFigures } from '../../../src/chef/index.ts';
import type {
  MetricdReport,
  ReceivedReport,
  ReporterMap,
} from '../../../src/coordination/index.ts';
import { ClusterDispatcher, type BlockEvent, type NewBlock } from '../../../src/metricd/index.ts';
import { workerStatus } from '../../support/metricd-status.ts';

const CONFIG = {
  workers: 2,
  jobConcurrency: 1,
  minBlockSize: 1,
  maxBlockSize: 1000,
  tickSeconds: 1,
  reporterGraceSeconds: 5,
};

function setup(pending: string[]) {
  let active = true;
  let listener: (event: BlockEvent, jobId: string) => void = () => undefined;
  const queued = new Map<string, readonly string[]>();
  const added: NewBlock[][] = [];
  const reported: MetricdReport[] = [];
  const removed: string[] = [];
  let scans = 0;
  const others: ReceivedReport[] = [];
  const map: ReporterMap = {
    epoch: 3,
    active: { name: 'a.1', host: 'a', pid: 1, role: 'active', lastBeacon: '' },
    standbys: [{ name: 'b.2', host: 'b', pid: 2, role: 'standby', lastBeacon: '' }],
  };
  const dispatcher = new ClusterDispatcher({
    supervisor: {
      size: 2,
      start: () => undefined,
      status: (view) =>
        [0, 1].map((index) => ({
          ...workerStatus(`a.1.worker-${index}`),
          index,
          ...(view?.(index) ?? {}),
        })),
    },
    incoming: {
      sackCount: () => Promise.resolve(1),
      listMetrics: () => Promise.resolve([...pending]),
    },
    queue: {
      add: (blocks) => {
        added.push([...blocks]);
        for (const block of blocks) queued.set(block.jobId, block.metricIds);
        return Promise.resolve();
      },
      stillQueued: (ids) => Promise.resolve(new Set([...ids].filter((id) => queued.has(id)))),
      queuedBlocks: () => Promise.resolve(new Map(queued)),
      counts: () => Promise.resolve({ waiting: queued.size, active: 0 }),
      onEvent: (callback) => {
        listener = callback;
      },
    },
    reports: {
      report: (report) => {
        reported.push(report);
        return Promise.resolve();
      },
      read: () =>
        Promise.resolve([
          ...reported.slice(-1).map((report) => ({ ...report, reportedAt: '' })),
          ...others,
        ]),
      remove: (name) => {
        removed.push(name);
        return Promise.resolve();
      },
    },
    election: { isActive: () => active, epoch: 3, map: () => Promise.resolve(map) },
    config: CONFIG,
    name: 'a.1',
    host: 'a',
    pid: 1,
  });
  void dispatcher.start({
    requestScan: () => {
      scans++;
    },
  });
  return {
    dispatcher,
    added,
    queued,
    reported,
    removed,
    others,
    scans: () => scans,
    finish: (jobId: string, event: BlockEvent = 'completed') => {
      queued.delete(jobId);
      listener(event, jobId);
    },
    setActive: (value: boolean) => (active = value),
  };
}

describe('ClusterDispatcher', () => {
  it('sizes blocks for the slots every host reported and queues them', async () => {
    const pending = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    const { dispatcher, added, others } = setup(pending);
    others.push({ ...report('b.2', 4), reportedAt: '' });
    await dispatcher.beforeTick();
    assert.deepEqual(await dispatcher.scan('tick'), { pendingMetrics: 6, blockSize: 1 });
    assert.deepEqual(
      added[0]!.map((block) => block.jobId),
      ['3-0', '3-1', '3-2', '3-3', '3-4', '3-5'],
    );
  });

  it('leaves the metrics of queued blocks out until the queue says they finished', async () => {
    const pending = ['m1', 'm2'];
    const { dispatcher, added, finish, scans } = setup(pending);
    await dispatcher.beforeTick();
    await dispatcher.scan('tick');
    assert.equal(added.length, 1);
    await dispatcher.scan('request');
    assert.equal(added.length, 1, 'nothing free: nothing added');
    finish(added[0]![0]!.jobId);
    assert.equal(scans(), 1, 'a finished block asks for a scan');
    await dispatcher.scan('request');
    assert.deepEqual(
      added[1]!.map((block) => block.metricIds),
      [['m1']],
    );
  });

  it('forgets, on a tick, blocks that left the queue while their event was missed', async () => {
    const { dispatcher, added, queued } = setup(['m1']);
    await dispatcher.scan('tick');
    queued.clear();
    await dispatcher.scan('request');
    assert.equal(added.length, 1, 'without a tick the block is still believed queued');
    await dispatcher.scan('tick');
    assert.equal(added.length, 2);
  });

  it('reads the queued blocks back after a change of role before handing any out', async () => {
    const { dispatcher, added, queued } = setup(['m1', 'm2']);
    queued.set('2-7', ['m1']);
    dispatcher.onRoleChange();
    await dispatcher.scan('tick');
    assert.deepEqual(
      added[0]!.map((block) => block.metricIds),
      [['m2']],
    );
  });

  it('hands nothing out when it is no longer active', async () => {
    const { dispatcher, added, setActive } = setup(['m1']);
    setActive(false);
    assert.deepEqual(await dispatcher.scan('tick'), { pendingMetrics: 1, blockSize: 1 });
    assert.deepEqual(added, []);
  });

  it('reports its workers with the blocks they ran, and shows a silent host’s workers dead', async () => {
    const { dispatcher, reported, others, removed } = setup([]);
    dispatcher.onDispatchMessage(1, { type: 'block-started', jobId: 'j', metrics: 5 });
    dispatcher.onDispatchMessage(1, { type: 'block-started', jobId: 'k', metrics: 2 });
    dispatcher.onDispatchMessage(1, {
      type: 'block-finished',
      jobId: 'j',
      figures: emptyFigures(),
      rerun: true,
    });
    await dispatcher.beforeTick();
    const mine = reported[0]!;
    assert.equal(mine.slots, 2);
    assert.deepEqual(
      mine.workers.map((w) => [w.currentBlock, w.blocksDone, w.blocksRerun]),
      [
        [0, 0, 0],
        [2, 1, 1],
      ],
    );
    assert.equal(dispatcher.onExit(1), 2);
    others.push({ ...report('gone.9', 1), reportedAt: '' });
    await dispatcher.scan('tick');
    const status = await dispatcher.status();
    assert.deepEqual(
      status.workers.map((w) => [w.name, w.alive]),
      [
        ['a.1.worker-0', true],
        ['a.1.worker-1', true],
        ['gone.9.worker-0', false],
      ],
    );
    assert.equal(status.reporters?.epoch, 3);
    assert.deepEqual(status.queue, { waiting: 0, active: 0, stalled: 0, completed: 0, failed: 0 });
    await dispatcher.stop();
    assert.deepEqual(removed, ['a.1']);
  });
});

function report(name: string, slots: number): MetricdReport {
  return { name, host: name, pid: 2, slots, workers: [workerStatus(`${name}.worker-0`)] };
}
