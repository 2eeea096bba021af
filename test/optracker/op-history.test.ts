import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { OpsDump } from '../../src/optracker/index.ts';
import { makeTracker, type FakeClock } from './tracker-harness.ts';

type Tracker = ReturnType<typeof makeTracker>['tracker'];

/** Runs one op per duration (ms), one after the other, each described by its duration. */
function runOps(tracker: Tracker, clock: FakeClock, durations: readonly number[]): void {
  for (const ms of durations) {
    const op = tracker.begin('process_metric', `took ${ms}`);
    clock.advance(ms);
    op.finish();
  }
}

const descriptions = (dump: OpsDump): string[] => dump.ops.map((op) => op.description);

describe('OpTracker history', () => {
  it('keeps the last historySize finished ops, by initiation', () => {
    const { tracker, clock } = makeTracker({ historySize: 3 });
    runOps(tracker, clock, [1, 2, 3, 4, 5]);
    const dump = tracker.dumpHistoric();
    assert.equal(dump.size, 3);
    assert.equal(dump.duration, 600);
    assert.deepEqual(descriptions(dump), ['took 3', 'took 4', 'took 5']);
  });

  it('lists by initiation ops that finished out of order', () => {
    const { tracker, clock } = makeTracker();
    const long = tracker.begin('request', 'long');
    clock.advance(10);
    tracker.begin('request', 'short').finish();
    clock.advance(10);
    long.finish();
    assert.deepEqual(descriptions(tracker.dumpHistoric()), ['long', 'short']);
  });

  it('drops ops that finished more than historyDurationSeconds ago', () => {
    const { tracker, clock } = makeTracker({ historyDurationSeconds: 60 });
    runOps(tracker, clock, [1000]);
    clock.advance(29_000);
    runOps(tracker, clock, [1000]);
    clock.at(61_000);
    assert.deepEqual(descriptions(tracker.dumpHistoric()), ['took 1000', 'took 1000']);
    clock.at(61_001);
    assert.deepEqual(tracker.dumpHistoric().num_ops, 1);
    assert.deepEqual(tracker.dumpHistoricByDuration().num_ops, 1);
    clock.at(91_001);
    assert.deepEqual(tracker.dumpHistoric().ops, []);
    assert.deepEqual(tracker.dumpHistoricByDuration().ops, []);
  });

  it('keeps an op that lasted longer than the window once it finishes', () => {
    const { tracker, clock } = makeTracker({ historyDurationSeconds: 60 });
    runOps(tracker, clock, [120_000]);
    assert.deepEqual(descriptions(tracker.dumpHistoric()), ['took 120000']);
  });

  it('lists by duration the slowest ops of the window, slowest first', () => {
    const { tracker, clock } = makeTracker({ historySize: 3 });
    runOps(tracker, clock, [5, 1, 9, 3, 7, 2]);
    const dump = tracker.dumpHistoricByDuration();
    assert.equal(dump.size, 3);
    assert.deepEqual(descriptions(dump), ['took 9', 'took 7', 'took 5']);
    assert.deepEqual(
      dump.ops.map((op) => op.duration),
      [0.009, 0.007, 0.005],
    );
    assert.deepEqual(descriptions(tracker.dumpHistoric()), ['took 3', 'took 7', 'took 2']);
  });

  it('keeps slow ops in a history of their own, with its own threshold and size', () => {
    const { tracker, clock } = makeTracker({
      historySize: 2,
      historyDurationSeconds: 60,
      slowHistorySize: 2,
      slowThresholdSeconds: 10,
    });
    runOps(tracker, clock, [12_000, 9_999, 10_000, 15_000, 500]);
    const slow = tracker.dumpHistoricSlow();
    assert.equal(slow.size, 2);
    assert.equal(slow.threshold, 10);
    assert.deepEqual(descriptions(slow), ['took 10000', 'took 15000']);

    const nowarn = tracker.begin('request', 'a watch', { nowarn: true });
    clock.advance(20_000);
    nowarn.finish();
    assert.deepEqual(descriptions(tracker.dumpHistoricSlow()), ['took 10000', 'took 15000']);

    clock.advance(3_600_000);
    assert.deepEqual(tracker.dumpHistoric().ops, [], 'the history ages out');
    assert.equal(tracker.dumpHistoricSlow().num_ops, 2, 'the slow history does not');
  });
});
