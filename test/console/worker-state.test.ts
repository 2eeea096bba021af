import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { workerState } from '../../src/console/worker-state.ts';

describe('workerState', () => {
  const worker = { alive: false, pid: 4242, 'last beat': '2026-12-06T07:00:00.000Z' };

  it('reads a live worker as up', () => {
    assert.equal(workerState({ ...worker, alive: true }), 'up');
  });

  it('reads a worker whose process loads and has not beaten yet as starting', () => {
    assert.equal(workerState({ ...worker, 'last beat': null }), 'starting');
  });

  it('reads a worker without a process as restarting', () => {
    assert.equal(workerState({ ...worker, pid: null }), 'restarting');
  });

  it('reads a worker that beat once and is not alive as down', () => {
    assert.equal(workerState(worker), 'down');
    assert.equal(workerState(undefined), '—');
  });
});
