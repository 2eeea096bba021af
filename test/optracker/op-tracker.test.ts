import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NOOP_OP, type TrackedOp } from '../../src/optracker/index.ts';
import { makeTracker } from './tracker-harness.ts';

describe('OpTracker in flight', () => {
  it('lists an op in flight with its events in order', () => {
    const { tracker, clock } = makeTracker();
    tracker.begin('process_metric', 'metric 5c1d');
    clock.advance(100);
    tracker.begin('request', 'GET /v1/metric').mark('authenticated');
    clock.advance(150);
    const dump = tracker.dumpInFlight();
    assert.equal(dump.enabled, true);
    assert.equal(dump.num_ops, 2);
    assert.deepEqual(dump.ops[1], {
      id: 2,
      kind: 'request',
      description: 'GET /v1/metric',
      initiated_at: '2024-05-01T12:00:00.100Z',
      age: 0.15,
      events: [
        { time: '2024-05-01T12:00:00.100Z', event: 'initiated', elapsed: 0, since_previous: 0 },
        { time: '2024-05-01T12:00:00.100Z', event: 'authenticated', elapsed: 0, since_previous: 0 },
      ],
    });
    assert.equal(dump.ops[0]?.id, 1, 'oldest first');
  });

  it('computes elapsed and since_previous for every event', () => {
    const { tracker, clock } = makeTracker();
    const op = tracker.begin('process_metric', 'metric 5c1d');
    for (const [step, event] of [
      [10, 'lock_wait'],
      [240, 'lock_acquired'],
      [0, 'read_splits'],
      [1500, 'written'],
    ] as const) {
      clock.advance(step);
      op.mark(event);
    }
    const events = tracker.dumpInFlight().ops[0]?.events ?? [];
    assert.deepEqual(
      events.map(({ event, elapsed, since_previous }) => [event, elapsed, since_previous]),
      [
        ['initiated', 0, 0],
        ['lock_wait', 0.01, 0.01],
        ['lock_acquired', 0.25, 0.24],
        ['read_splits', 0.25, 0],
        ['written', 1.75, 1.5],
      ],
    );
  });

  it('moves a finished op to the history with a done event and a duration', () => {
    const { tracker, clock } = makeTracker();
    const op = tracker.begin('refresh', 'metric 5c1d');
    clock.advance(250);
    op.finish();
    clock.advance(1000);
    assert.equal(tracker.dumpInFlight().num_ops, 0);
    const [finished] = tracker.dumpHistoric().ops;
    assert.equal(finished?.duration, 0.25);
    assert.equal(finished.age, 1.25);
    assert.deepEqual(
      finished.events.map((event) => event.event),
      ['initiated', 'done'],
    );
    assert.equal(op.finishedAt, clock.ms - 1000);
  });

  it('ignores marks after finish, and a second finish', () => {
    const { tracker, clock } = makeTracker();
    const op = tracker.begin('request', 'POST /v1/batch/metrics/measures');
    op.finish();
    clock.advance(50);
    op.mark('late');
    op.finish();
    assert.deepEqual(
      op.events.map((event) => event.name),
      ['initiated', 'done'],
    );
    const history = tracker.dumpHistoric();
    assert.equal(history.num_ops, 1);
    assert.equal(history.ops[0]?.duration, 0);
  });

  it('gives every op its own id', () => {
    const { tracker } = makeTracker();
    const ids = new Set(Array.from({ length: 100 }, () => tracker.begin('request', 'x').id));
    assert.equal(ids.size, 100);
  });

  it('filters dumps by kind and by a substring of the description', () => {
    const { tracker } = makeTracker();
    tracker.begin('request', 'GET /v1/metric/5c1d/measures');
    tracker.begin('process_metric', 'metric 5c1d');
    tracker.begin('process_metric', 'metric 77aa').finish();
    const ids = (dump: { ops: readonly { id: number }[] }): number[] => dump.ops.map((op) => op.id);
    assert.deepEqual(ids(tracker.dumpInFlight({ description: '5c1d' })), [1, 2]);
    assert.deepEqual(ids(tracker.dumpInFlight({ kind: 'process_metric' })), [2]);
    assert.deepEqual(ids(tracker.dumpInFlight({ kind: 'request', description: '77aa' })), []);
    assert.deepEqual(ids(tracker.dumpHistoric({ description: '77aa' })), [3]);
    assert.deepEqual(ids(tracker.dumpHistoricByDuration({ kind: 'request' })), []);
  });

  it('counts ops in flight per kind', () => {
    const { tracker } = makeTracker();
    tracker.begin('request', 'a');
    tracker.begin('request', 'b');
    tracker.begin('process_metric', 'c').finish();
    tracker.begin('refresh', 'd');
    assert.deepEqual(
      tracker.inFlightByKind(),
      new Map([
        ['request', 2],
        ['refresh', 1],
      ]),
    );
  });
});

describe('OpTracker shards', () => {
  it('lists every op of every shard, and finishing one removes exactly that one', () => {
    const { tracker } = makeTracker({ shards: 8 });
    const ops = Array.from({ length: 1000 }, (_, i) => tracker.begin('request', `op ${i}`));
    assert.deepEqual(new Set(ops.map((op) => op.id % 8)).size, 8, 'every shard is used');
    const dump = tracker.dumpInFlight();
    assert.equal(dump.num_ops, 1000);
    assert.deepEqual(
      dump.ops.map((op) => op.id),
      ops.map((op) => op.id),
    );

    const gone = ops[437] as TrackedOp;
    gone.finish();
    gone.finish();
    const after = tracker.dumpInFlight();
    assert.equal(after.num_ops, 999);
    assert.ok(!after.ops.some((op) => op.id === gone.id));
    assert.equal(tracker.health().inFlight, 999);
    assert.deepEqual(
      tracker.dumpHistoric().ops.map((op) => op.id),
      [gone.id],
    );
  });
});

describe('OpTracker finish listeners', () => {
  it('reports each finished op once with its duration, as it finishes', () => {
    const { tracker, clock } = makeTracker();
    const seen: [string, number][] = [];
    const unsubscribe = tracker.onFinish((op, seconds) => seen.push([op.kind, seconds]));
    const op = tracker.begin('request', 'GET /v1/status');
    clock.advance(12.5);
    op.finish();
    assert.deepEqual(seen, [['request', 0.0125]]);
    op.finish();
    assert.equal(seen.length, 1);

    unsubscribe();
    tracker.begin('request', 'GET /v1/status').finish();
    assert.equal(seen.length, 1);
  });

  it('keeps going when a listener throws, and logs it', () => {
    const { tracker, logger } = makeTracker();
    let calls = 0;
    tracker.onFinish(() => {
      throw new Error('boom');
    });
    tracker.onFinish(() => {
      calls += 1;
    });
    tracker.begin('request', 'a').finish();
    tracker.begin('request', 'b').finish();
    tracker.dumpHistoric();
    assert.equal(calls, 2);
    assert.deepEqual(
      logger.warnings.map((warning) => warning.message),
      ['op finish listener failed', 'op finish listener failed'],
    );
  });
});

describe('OpTracker switched off', () => {
  it('hands out one shared op that records nothing, and dumps say tracking is off', () => {
    const { tracker, clock } = makeTracker({ enabled: false });
    const op = tracker.begin('request', 'GET /v1/metric');
    assert.equal(op, NOOP_OP);
    assert.equal(tracker.begin('refresh', 'metric 1'), NOOP_OP);
    op.mark('authenticated');
    op.nowarn = false;
    clock.advance(3_600_000);
    op.finish();
    assert.deepEqual(op.events, []);
    assert.equal(op.finishedAt, undefined);
    assert.equal(tracker.enabled, false);
    assert.deepEqual(tracker.dumpInFlight(), { enabled: false, num_ops: 0, ops: [] });
    assert.deepEqual(tracker.dumpHistoric(), {
      enabled: false,
      num_ops: 0,
      size: 200,
      duration: 600,
      ops: [],
    });
    assert.equal(tracker.dumpHistoricByDuration().enabled, false);
    assert.equal(tracker.dumpHistoricSlow().enabled, false);
    assert.equal(tracker.dumpBlocked().enabled, false);
    assert.deepEqual(tracker.health(), {
      enabled: false,
      inFlight: 0,
      slowOps: 0,
      oldestSlowAgeSeconds: null,
      oldestAgeSeconds: null,
      complaintTimeSeconds: 30,
      untracked: 0,
    });
    assert.deepEqual(tracker.checkSlowOps(), { slowOps: 0, warned: 0 });
  });

  it('can be switched off and on at runtime, forgetting what it tracked', () => {
    const { tracker, clock, logger } = makeTracker();
    const finished: number[] = [];
    tracker.onFinish((op) => finished.push(op.id));
    const before = tracker.begin('request', 'held across the switch');
    const finishedBefore = tracker.begin('request', 'finished before the switch');
    finishedBefore.finish();
    assert.deepEqual(finished, [finishedBefore.id], 'listeners hear of an op as it finishes');

    tracker.setEnabled(false);
    assert.equal(tracker.begin('request', 'while off'), NOOP_OP);
    assert.equal(tracker.dumpInFlight().enabled, false);

    tracker.setEnabled(true);
    assert.deepEqual(tracker.dumpInFlight().ops, []);
    assert.deepEqual(tracker.dumpHistoric().ops, []);
    clock.advance(60_000);
    before.finish();
    assert.deepEqual(tracker.checkSlowOps(), { slowOps: 0, warned: 0 });
    assert.deepEqual(tracker.dumpHistoric().ops, []);
    assert.deepEqual(logger.warnings, []);

    const after = tracker.begin('request', 'after the switch');
    assert.notEqual(after, NOOP_OP);
    after.finish();
    assert.deepEqual(
      tracker.dumpHistoric().ops.map((op) => op.description),
      ['after the switch'],
    );
    assert.deepEqual(finished, [finishedBefore.id, after.id], 'not of one begun before the switch');
  });
});

describe('OpTracker bound', () => {
  it('holds at most maxInFlight ops; beyond, ops run untracked and are counted', () => {
    const { tracker } = makeTracker({ maxInFlight: 3 });
    const ops = Array.from({ length: 5 }, (_, i) => tracker.begin('request', `op ${i}`));
    assert.equal(ops.filter((op) => op === NOOP_OP).length, 2);
    assert.equal(tracker.health().inFlight, 3);
    assert.equal(tracker.health().untracked, 2);
    ops[0]?.finish();
    assert.notEqual(tracker.begin('request', 'after one finished'), NOOP_OP);
    assert.equal(tracker.health().inFlight, 3);
    assert.equal(tracker.begin('request', 'full again'), NOOP_OP);
    assert.equal(tracker.health().untracked, 3);
  });
});
