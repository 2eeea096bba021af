import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { SlowestOps } from '../../src/optracker/slowest-ops.ts';
import { durationMs, type TrackedOp } from '../../src/optracker/tracked-op.ts';

/** A finished op that started at `initiatedAt` and took `duration` ms. */
function finished(id: number, initiatedAt: number, duration: number): TrackedOp {
  return {
    id,
    kind: 'request',
    description: `op ${id}`,
    initiatedAt,
    finishedAt: initiatedAt + duration,
    events: [],
    nowarn: false,
    mark: () => undefined,
    finish: () => undefined,
  };
}

const durations = (ops: readonly TrackedOp[]): number[] => ops.map(durationMs);

describe('SlowestOps', () => {
  it('keeps the slowest capacity ops offered, slowest first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }),
        (capacity, taken) => {
          const slowest = new SlowestOps(capacity);
          taken.forEach((duration, id) => {
            slowest.offer(finished(id, 0, duration));
          });
          const expected = [...taken].sort((a, b) => b - a).slice(0, capacity);
          assert.deepEqual(durations(slowest.toArray()), expected);
        },
      ),
    );
  });

  it('matches a sorted, truncated list under any mix of offers and expiries', () => {
    const anyStep = fc.oneof(
      fc.record({ finish: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ cutoff: fc.integer({ min: 0, max: 1000 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 60 }),
        fc.array(anyStep, { maxLength: 60 }),
        (capacity, uniqueDurations, steps) => {
          const slowest = new SlowestOps(capacity);
          let model: TrackedOp[] = [];
          steps.forEach((step, id) => {
            if ('cutoff' in step) {
              slowest.expire(step.cutoff);
              model = model.filter((op) => (op.finishedAt ?? 0) >= step.cutoff);
              return;
            }
            const duration = uniqueDurations[id];
            if (duration === undefined) return;
            const op = finished(id, step.finish - duration, duration);
            slowest.offer(op);
            model = [...model, op].sort((a, b) => durationMs(b) - durationMs(a)).slice(0, capacity);
          });
          assert.deepEqual(durations(slowest.toArray()), durations(model));
        },
      ),
    );
  });

  it('drops the ops that finished before the cutoff, without recalling faster ones', () => {
    const slowest = new SlowestOps(2);
    slowest.offer(finished(1, 0, 50));
    slowest.offer(finished(2, 100, 10));
    slowest.offer(finished(3, 100, 40));
    assert.deepEqual(durations(slowest.toArray()), [50, 40]);
    slowest.expire(51);
    assert.deepEqual(durations(slowest.toArray()), [40]);
    slowest.offer(finished(4, 200, 1));
    assert.deepEqual(durations(slowest.toArray()), [40, 1]);
    slowest.expire(10_000);
    assert.equal(slowest.length, 0);
  });
});
