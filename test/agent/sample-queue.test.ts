import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SampleQueue } from '../../src/agent/sample-queue.ts';

const figures = [{ name: 'node_load1', labels: {}, value: 1 }];

describe('SampleQueue', () => {
  it('keeps samples until they are acknowledged, and sends them again until then', () => {
    const queue = new SampleQueue({ maxSamples: 10, maxBytes: 1_000_000 });
    for (let time = 1; time <= 4; time++) queue.push(time, figures);
    assert.deepEqual(
      queue.pending(3).map((sample) => sample.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      queue.pending(3).map((sample) => sample.seq),
      [1, 2, 3],
    );
    assert.equal(queue.acknowledge(2), 2);
    assert.deepEqual(
      queue.pending(10).map((sample) => sample.seq),
      [3, 4],
    );
    // NOTE: an acknowledgement repeated, or of what is gone, removes nothing more.
    assert.equal(queue.acknowledge(2), 0);
    assert.equal(queue.acknowledge(4), 2);
    assert.equal(queue.length, 0);
    assert.equal(queue.bytes, 0);
  });

  it('drops the oldest when full by count, and counts them', () => {
    const queue = new SampleQueue({ maxSamples: 3, maxBytes: 1_000_000 });
    for (let time = 1; time <= 5; time++) queue.push(time, figures);
    assert.equal(queue.dropped, 2);
    assert.deepEqual(
      queue.pending(10).map((sample) => sample.seq),
      [3, 4, 5],
    );
  });

  it('drops the oldest when full by bytes, always keeping the newest', () => {
    const one = JSON.stringify({ seq: 1, time: 1, figures }).length;
    const queue = new SampleQueue({ maxSamples: 100, maxBytes: one * 2 + 1 });
    for (let time = 1; time <= 4; time++) queue.push(time, figures);
    assert.equal(queue.length, 2);
    assert.equal(queue.dropped, 2);
    const tiny = new SampleQueue({ maxSamples: 100, maxBytes: 1 });
    tiny.push(1, figures);
    assert.equal(tiny.length, 1);
  });
});
