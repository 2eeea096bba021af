/**
 * The op duration histogram against prom-client's own, fed the same durations: the same
 * exposition, line for line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Histogram, Registry } from 'prom-client';

import { DurationHistogram } from '../../../src/api/telemetry/duration-histogram.ts';
import { OP_DURATION_BUCKETS } from '../../../src/api/telemetry/op-metrics.ts';
import { mulberry32 } from '../../support/mulberry32.ts';

describe('DurationHistogram', () => {
  it("writes out what prom-client's histogram writes for the same observations", async () => {
    const options = { name: 'orzo_test_seconds', help: 'Test \\ durations\nby kind' };
    const ours = new DurationHistogram({ ...options, label: 'kind', buckets: OP_DURATION_BUCKETS });
    const registry = new Registry();
    const theirs = new Histogram({
      ...options,
      labelNames: ['kind'],
      buckets: [...OP_DURATION_BUCKETS],
      registers: [registry],
    });
    assert.equal(ours.exposition(), await registry.metrics());
    const random = mulberry32(7);
    const kinds = ['request', 'process_metric', 'a "quoted" \\ kind'];
    // NOTE: bounds themselves too, which fall in their own bucket, and beyond the last bound.
    const durations = [...OP_DURATION_BUCKETS, 0, 61, 3600];
    for (let i = 0; i < 2000; i++) durations.push(random() ** 4 * 90);
    durations.forEach((seconds, index) => {
      const kind = kinds[index % kinds.length] ?? '';
      ours.observe(kind, seconds);
      theirs.observe({ kind }, seconds);
    });
    assert.equal(ours.exposition(), await registry.metrics());
  });
});
