import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BacklogGauge } from '../../../src/metricd/reporter/backlog-gauge.ts';

describe('BacklogGauge', () => {
  it('counts batches and measures at most every 5 s, metrics on every scan that lists', async () => {
    let now = 0;
    let fullCounts = 0;
    const gauge = new BacklogGauge(
      {
        backlog: () => {
          fullCounts++;
          return Promise.resolve({ metrics: 3, batches: 7, measures: 70, sacks: [] });
        },
      },
      () => now,
    );
    await gauge.update(3);
    assert.deepEqual(gauge.current, { metrics: 3, batches: 7, measures: 70 });
    now = 1_000;
    await gauge.update(5);
    assert.deepEqual(gauge.current, { metrics: 5, batches: 7, measures: 70 });
    await gauge.update(undefined);
    assert.deepEqual(
      gauge.current,
      { metrics: 5, batches: 7, measures: 70 },
      'a scan that listed nothing',
    );
    now = 2_000;
    await gauge.update(0);
    assert.deepEqual(gauge.current, { metrics: 0, batches: 0, measures: 0 });
    assert.equal(fullCounts, 1);
    now = 5_000;
    await gauge.update(1);
    assert.equal(fullCounts, 2);
    assert.deepEqual(gauge.current, { metrics: 3, batches: 7, measures: 70 });
  });
});
