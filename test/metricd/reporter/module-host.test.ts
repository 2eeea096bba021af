/** The active reporter's modules on a clock of the test's own: when each runs, and when not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ModuleHost, type ReporterModule } from '../../../src/metricd/index.ts';

function recorder(name: string, intervalMs: number, runs: number[], fail = () => false) {
  let release = (): void => undefined;
  const module: ReporterModule & { hold(): void; release(): void } = {
    name,
    intervalMs,
    tick: (now) => {
      runs.push(now);
      if (fail()) return Promise.reject(new Error(`${name} failed`));
      return held;
    },
    status: () => ({ runs: runs.length }),
    hold: () => {
      held = new Promise<void>((resolve) => (release = resolve));
    },
    release: () => {
      held = Promise.resolve();
      release();
    },
  };
  let held: Promise<void> = Promise.resolve();
  return module;
}

describe('ModuleHost', () => {
  it('runs each module at activation, then every interval', async () => {
    const runs: number[] = [];
    let now = 1_000;
    const host = new ModuleHost({
      modules: [recorder('a', 100, runs)],
      isActive: () => true,
      logger: { error: () => undefined },
      now: () => now,
    });
    await host.activate(false);
    for (const at of [1_050, 1_099, 1_100, 1_150, 1_250]) {
      now = at;
      await host.runDue(at);
    }
    assert.deepEqual(runs, [1_000, 1_100, 1_250]);
    assert.deepEqual(host.status(), { a: { runs: 3 } });
    await host.deactivate();
  });

  it('never runs one module twice at once, nor while the reporter is not active', async () => {
    const runs: number[] = [];
    let active = true;
    const module = recorder('slow', 10, runs);
    const host = new ModuleHost({
      modules: [module],
      isActive: () => active,
      logger: { error: () => undefined },
      now: () => 0,
    });
    module.hold();
    const first = host.activate(false);
    await new Promise(setImmediate);
    await host.runDue(50);
    assert.deepEqual(runs, [0], 'still running: not started again');
    module.release();
    await first;
    active = false;
    await host.runDue(100);
    assert.deepEqual(runs, [0]);
    active = true;
    await host.runDue(100);
    assert.deepEqual(runs, [0, 100]);
    await host.deactivate();
    await host.runDue(1_000);
    assert.deepEqual(runs, [0, 100], 'nothing after deactivation');
  });

  it('logs a failed run and tries again the next period', async () => {
    const runs: number[] = [];
    const logged: object[] = [];
    let failing = true;
    const host = new ModuleHost({
      modules: [recorder('flaky', 10, runs, () => failing)],
      isActive: () => true,
      logger: { error: (fields) => void logged.push(fields) },
      now: () => 0,
    });
    await host.activate(false);
    failing = false;
    await host.runDue(10);
    assert.deepEqual(runs, [0, 10]);
    assert.equal(logged.length, 1);
    assert.deepEqual(
      { ...logged[0], err: undefined },
      { err: undefined, module: 'flaky', step: 'tick' },
    );
    await host.deactivate();
  });
});
