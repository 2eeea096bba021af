import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { metricdStatusJson } from '../../../src/api/views/metricd-status-json.ts';
import type { MetricdStatus } from '../../../src/coordination/index.ts';

const UPDATED = new Date('2026-11-21T10:00:00Z');
const HEALTH = {
  enabled: true,
  inFlight: 2,
  slowOps: 1,
  oldestSlowAgeSeconds: 31,
  oldestAgeSeconds: 31,
  complaintTimeSeconds: 30,
  untracked: 0,
};

function status(): MetricdStatus {
  return {
    reporter: {
      name: 'host.42',
      host: 'host',
      pid: 42,
      startedAt: '2026-11-21T09:00:00.000Z',
      updatedAt: UPDATED.toISOString(),
      tickSeconds: 1,
      blockSize: 8,
      backlog: { metrics: 3, batches: 5, measures: 70 },
      modules: { janitor: { metrics_expunged: 2 } },
      ops: HEALTH,
    },
    workers: [0, 1].map((index) => ({
      name: `host.42.worker-${index}`,
      index,
      pid: 100 + index,
      alive: true,
      lastBeat: UPDATED.toISOString(),
      currentBlock: 8,
      restarts: index,
      blocksDone: 10,
      metricsProcessed: 80,
      metricsLocked: 1,
      measuresProcessed: 8_000,
      measuresDropped: 3,
      measuresPerSecond: 400,
      corrupt: 0,
      errors: 0,
      ops: index === 0 ? HEALTH : null,
    })),
  };
}

describe('metricdStatusJson', () => {
  it('shows no processor when metricd never published', () => {
    assert.deepEqual(metricdStatusJson(undefined, UPDATED), { processors: null, statistics: {} });
  });

  it('lists each worker with its figures, and the reporter', () => {
    const json = metricdStatusJson(status(), new Date(UPDATED.getTime() + 2_000));
    assert.deepEqual(json.processors, ['host.42.worker-0', 'host.42.worker-1']);
    assert.equal(json.statistics['host.42.worker-1']!['processed measures'], 8_000);
    assert.equal(json.statistics['host.42.worker-1']!.restarts, 1);
    assert.equal(json.statistics['host.42.worker-0']!.alive, true);
    assert.equal(json.reporter!.block_size, 8);
    assert.deepEqual(json.reporter!.backlog, { metrics: 3, batches: 5, measures: 70 });
    assert.equal(json.reporter!.alive, true);
    assert.deepEqual(json.statistics['host.42.worker-0']!.ops, HEALTH);
    assert.equal(json.statistics['host.42.worker-1']!.ops, null);
    assert.deepEqual(json.reporter!.ops, HEALTH);
  });

  it('marks a status older than five ticks (at least 10 s) as no longer running', () => {
    const json = metricdStatusJson(status(), new Date(UPDATED.getTime() + 10_001));
    assert.equal(json.processors, null);
    assert.equal(json.statistics['host.42.worker-0']?.alive, false);
    assert.equal(json.reporter?.alive, false);
  });
});
