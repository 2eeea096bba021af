/**
 * The reporter skeleton with a dispatcher, leadership, supervisor, board and modules written
 * here: what a tick does for an active reporter and a standby, how scan requests are gathered,
 * how modules follow the role, and the order of a stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { MetricdStatus } from '../../../src/coordination/index.ts';
import {
  GATHER_MS,
  Reporter,
  type BlockDispatcher,
  type Leadership,
  type ReporterModule,
  type ScanTrigger,
} from '../../../src/metricd/index.ts';
import { IDLE_OPS } from '../../support/metricd-status.ts';

const T0 = Date.UTC(2026, 0, 1);

interface Harness {
  readonly reporter: Reporter;
  readonly calls: string[];
  readonly published: MetricdStatus[];
  readonly logged: string[];
  readonly clock: { now: number };
  readonly setActive: (active: boolean) => void;
  /** Holds the next scans until released. */
  readonly holdScans: () => () => void;
}

function harness(options: { active?: boolean; failScan?: boolean } = {}): Harness {
  const calls: string[] = [];
  const published: MetricdStatus[] = [];
  const logged: string[] = [];
  const clock = { now: T0 };
  let active = options.active ?? true;
  let onChange = (): void => undefined;
  let gate: Promise<void> | undefined;
  const leadership: Leadership = {
    start: (listener) => {
      onChange = listener;
      calls.push('leadership.start');
      return Promise.resolve();
    },
    isActive: () => active,
    stop: () => {
      calls.push('leadership.stop');
      return Promise.resolve();
    },
  };
  const dispatcher: BlockDispatcher = {
    start: () => {
      calls.push('dispatcher.start');
      return Promise.resolve();
    },
    beforeTick: () => {
      calls.push('beforeTick');
      return Promise.resolve();
    },
    scan: async (trigger: ScanTrigger) => {
      calls.push(`scan:${trigger}`);
      await gate;
      if (options.failScan === true) throw new Error('incoming down');
      return { pendingMetrics: 7, blockSize: 4 };
    },
    onRoleChange: (isActive) => {
      calls.push(`role:${isActive ? 'active' : 'standby'}`);
    },
    status: () => Promise.resolve({ workers: [] }),
    stop: () => {
      calls.push('dispatcher.stop');
      return Promise.resolve();
    },
  };
  const module: ReporterModule = {
    name: 'recorder',
    intervalMs: 10_000,
    start: () => {
      calls.push('module.start');
      return Promise.resolve();
    },
    tick: (now) => {
      calls.push(`module.tick@${now - T0}`);
      return Promise.resolve();
    },
    stop: () => {
      calls.push('module.stop');
      return Promise.resolve();
    },
    status: () => ({ ticks: calls.filter((call) => call.startsWith('module.tick')).length }),
  };
  const reporter = new Reporter({
    dispatcher,
    leadership,
    supervisor: {
      reapHung: (timeoutMs) => void calls.push(`reapHung:${timeoutMs}`),
      stop: () => {
        calls.push('supervisor.stop');
        return Promise.resolve();
      },
    },
    incoming: {
      subscribe: () => Promise.resolve(undefined),
      backlog: () => Promise.resolve({ metrics: 7, batches: 9, measures: 90, sacks: [] }),
    },
    board: {
      publish: (status) => {
        calls.push('publish');
        published.push(status);
        return Promise.resolve(true);
      },
    },
    modules: [module],
    config: { tickSeconds: 3600, workerTimeoutSeconds: 60 },
    tracker: { health: () => IDLE_OPS },
    logger: {
      info: () => undefined,
      warn: (_fields, message) => void logged.push(message),
      error: (_fields, message) => void logged.push(message),
    },
    name: 'vm.1',
    host: 'vm',
    pid: 1,
    now: () => clock.now,
  });
  return {
    reporter,
    calls,
    published,
    logged,
    clock,
    setActive: (value) => {
      active = value;
      onChange();
    },
    holdScans: () => {
      let release = (): void => undefined;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('Reporter', () => {
  it('on a tick of the active reporter, supervises, scans, and publishes its status', async () => {
    const { reporter, calls, published } = harness();
    await reporter.tick();
    assert.deepEqual(calls, ['reapHung:60000', 'beforeTick', 'scan:tick', 'publish']);
    const { reporter: summary, workers } = published[0]!;
    assert.equal(summary.name, 'vm.1');
    assert.equal(summary.blockSize, 4);
    assert.deepEqual(summary.backlog, { metrics: 7, batches: 9, measures: 90 });
    assert.equal(summary.updatedAt, new Date(T0).toISOString());
    assert.deepEqual(summary.modules, { recorder: { ticks: 0 } });
    assert.deepEqual(workers, []);
  });

  it('as a standby, only supervises and reports', async () => {
    const { reporter, calls, published } = harness({ active: false });
    await reporter.tick();
    assert.deepEqual(calls, ['reapHung:60000', 'beforeTick']);
    assert.deepEqual(published, []);
  });

  it('logs a failed scan and still publishes', async () => {
    const { reporter, calls, logged } = harness({ failScan: true });
    await reporter.tick();
    assert.deepEqual(logged, ['handing out blocks failed']);
    assert.equal(calls.at(-1), 'publish');
  });

  it('gathers a burst of scan requests into one scan', async () => {
    const { reporter, calls } = harness();
    for (let i = 0; i < 5; i++) reporter.requestScan();
    await sleep(GATHER_MS * 3);
    assert.deepEqual(
      calls.filter((call) => call.startsWith('scan')),
      ['scan:request'],
    );
  });

  it('never overlaps scans: what is asked meanwhile runs once after, a tick winning', async () => {
    const { reporter, calls, holdScans } = harness();
    const release = holdScans();
    const first = reporter.tick();
    await sleep(0);
    reporter.requestScan();
    await sleep(GATHER_MS * 2);
    const second = reporter.tick();
    release();
    await first;
    await second;
    await sleep(GATHER_MS);
    assert.deepEqual(
      calls.filter((call) => call.startsWith('scan')),
      ['scan:tick', 'scan:tick'],
    );
  });

  it('runs its modules while active, following changes of role', async () => {
    const { reporter, calls, clock, setActive } = harness();
    await reporter.start();
    assert.deepEqual(
      calls.filter((call) => call.startsWith('module')),
      ['module.start', 'module.tick@0'],
    );
    clock.now += 9_999;
    await reporter.runModules(clock.now);
    clock.now += 1;
    await reporter.runModules(clock.now);
    setActive(false);
    await sleep(0);
    clock.now += 60_000;
    await reporter.runModules(clock.now);
    setActive(true);
    await sleep(0);
    assert.deepEqual(
      calls.filter((call) => call.startsWith('module') || call.startsWith('role')),
      [
        'module.start',
        'module.tick@0',
        'module.tick@10000',
        'role:standby',
        'module.stop',
        'role:active',
        'module.start',
        'module.tick@70000',
      ],
    );
    await reporter.stop();
  });

  it('stops its modules, gives the role up, drains its workers, then publishes if still active', async () => {
    const { reporter, calls } = harness();
    await reporter.start();
    // NOTE: start's first tick runs by itself; it is over once its status is published.
    while (!calls.includes('publish')) await sleep(1);
    calls.length = 0;
    await reporter.stop();
    assert.deepEqual(calls, [
      'module.stop',
      'leadership.stop',
      'supervisor.stop',
      'dispatcher.stop',
      'publish',
    ]);
    await reporter.tick();
    reporter.requestScan();
    await sleep(GATHER_MS * 2);
    assert.equal(calls.length, 5, 'a stopped reporter does nothing more');
  });
});
