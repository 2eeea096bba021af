/**
 * The op tracker's Prometheus figures on a tracker with a fake clock: counts by kind, slow ops,
 * durations, and no more durations once unsubscribed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Registry } from 'prom-client';

import { registerOpMetrics, type OpDurations } from '../../../src/api/telemetry/op-metrics.ts';
import { makeTracker } from '../../optracker/tracker-harness.ts';

async function exposed(registry: Registry, durations?: OpDurations): Promise<string[]> {
  const text = (await registry.metrics()) + (durations?.exposition() ?? '');
  return text.split('\n').filter((line) => /^orzo_\w+[{ ]/.test(line));
}

describe('registerOpMetrics', () => {
  it('counts in-flight ops by kind and the slow ones, with the oldest slow age', async () => {
    const { tracker, clock } = makeTracker({ complaintTimeSeconds: 30 });
    const registry = new Registry();
    registerOpMetrics(registry, tracker);
    tracker.begin('process_metric', 'metric a');
    clock.advance(10_000);
    tracker.begin('request', 'GET /v1/metric');
    tracker.begin('request', 'GET /v1/status');
    clock.advance(32_500);
    assert.deepEqual(await exposed(registry), [
      'orzo_ops_in_flight{kind="process_metric"} 1',
      'orzo_ops_in_flight{kind="request"} 2',
      'orzo_slow_ops 3',
      'orzo_oldest_slow_op_age_seconds 42.5',
    ]);
  });

  it('times finished ops by kind until unsubscribed', async () => {
    const { tracker, clock } = makeTracker();
    const registry = new Registry();
    const durations = registerOpMetrics(registry, tracker);
    const op = tracker.begin('refresh', 'metric a');
    clock.advance(30);
    op.finish();
    const lines = await exposed(registry, durations);
    assert.ok(lines.includes('orzo_op_duration_seconds_bucket{le="0.025",kind="refresh"} 0'));
    assert.ok(lines.includes('orzo_op_duration_seconds_bucket{le="0.05",kind="refresh"} 1'));
    assert.ok(lines.includes('orzo_op_duration_seconds_sum{kind="refresh"} 0.03'));

    durations.stop();
    tracker.begin('refresh', 'metric b').finish();
    assert.ok(
      (await exposed(registry, durations)).includes(
        'orzo_op_duration_seconds_count{kind="refresh"} 1',
      ),
    );
  });
});
