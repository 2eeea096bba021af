import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';

import { makeTracker } from './tracker-harness.ts';

/** The age (s) of the op in each warning. */
const warnedAges = (warnings: readonly { fields: Record<string, unknown> }[]): unknown[] =>
  warnings.map((warning) => warning.fields.ageSeconds);

describe('OpTracker slow ops', () => {
  for (const everySeconds of [0.5, 1, 7, 13]) {
    it(`warns about a stuck op once per back-off period (checks every ${everySeconds} s)`, () => {
      const { tracker, clock, logger } = makeTracker({ complaintTimeSeconds: 30 });
      tracker.begin('process_metric', 'metric 5c1d');
      for (let ms = 0; ms <= 1_000_000; ms += everySeconds * 1000) {
        clock.at(ms);
        tracker.checkSlowOps();
      }
      const ages = warnedAges(logger.warnings) as number[];
      const points = [30, 60, 120, 240, 480, 960];
      assert.equal(ages.length, points.length, `warned at ${ages.join(', ')}`);
      points.forEach((point, i) => {
        const age = ages[i] as number;
        assert.ok(age >= point && age < point + everySeconds, `warning ${i} at ${age} s`);
      });
    });
  }

  it('warns with structured fields', () => {
    const { tracker, clock, logger } = makeTracker();
    const op = tracker.begin('process_metric', 'metric 5c1d');
    clock.advance(2_000);
    op.mark('lock_wait');
    clock.advance(29_000);
    assert.deepEqual(tracker.checkSlowOps(), { slowOps: 1, warned: 1 });
    assert.deepEqual(logger.warnings, [
      {
        message: 'slow op',
        fields: {
          opId: op.id,
          kind: 'process_metric',
          description: 'metric 5c1d',
          initiatedAt: '2024-05-01T12:00:00.000Z',
          ageSeconds: 31,
          lastEvent: 'lock_wait',
          sinceLastEventSeconds: 29,
        },
      },
    ]);
  });

  it('does not warn about ops younger than the complaint time, nor finished ones', () => {
    const { tracker, clock, logger } = makeTracker({ complaintTimeSeconds: 30 });
    const done = tracker.begin('request', 'finished after 40 s');
    clock.at(20_000);
    tracker.begin('request', 'young');
    clock.at(40_000);
    done.finish();
    clock.at(49_999);
    assert.deepEqual(tracker.checkSlowOps(), { slowOps: 0, warned: 0 });
    assert.deepEqual(logger.warnings, []);
    clock.at(50_000);
    assert.deepEqual(tracker.checkSlowOps(), { slowOps: 1, warned: 1 });
  });

  it('warns at most logThreshold times per check, and about the rest on later checks', () => {
    const { tracker, clock, logger } = makeTracker({ logThreshold: 2, complaintTimeSeconds: 30 });
    const ops = [0, 1, 2, 3, 4].map((i) => {
      clock.at(i * 1000);
      return tracker.begin('request', `op ${i}`);
    });
    clock.at(40_000);
    const checks = [1, 2, 3, 4].map(() => {
      clock.advance(1000);
      return tracker.checkSlowOps();
    });
    assert.deepEqual(
      checks.map((check) => check.warned),
      [2, 2, 1, 0],
    );
    assert.ok(checks.every((check) => check.slowOps === 5));
    assert.deepEqual(
      logger.warnings.map((warning) => warning.fields.opId),
      ops.map((op) => op.id),
      'oldest first, each once',
    );
  });

  it('never warns about nowarn ops, nor counts them slow or oldest', () => {
    const { tracker, clock, logger } = makeTracker({ complaintTimeSeconds: 30 });
    tracker.begin('request', 'a watch', { nowarn: true });
    tracker.begin('request', 'a long poll').nowarn = true;
    clock.advance(10_000);
    tracker.begin('request', 'an ordinary op');
    clock.advance(3_600_000);
    for (let i = 0; i < 10; i++) tracker.checkSlowOps();
    assert.deepEqual(
      logger.warnings.map((warning) => warning.fields.description),
      ['an ordinary op'],
    );
    const health = tracker.health();
    assert.equal(health.inFlight, 3);
    assert.equal(health.slowOps, 1);
    assert.equal(health.oldestSlowAgeSeconds, 3600);
    assert.equal(health.oldestAgeSeconds, 3600);
    assert.deepEqual(
      tracker.dumpBlocked().ops.map((op) => op.description),
      ['an ordinary op'],
    );
    assert.equal(tracker.dumpInFlight().num_ops, 3);
  });

  it('reports a health that agrees with the dumps taken at the same instant', () => {
    const { tracker, clock } = makeTracker({ complaintTimeSeconds: 30 });
    tracker.begin('request', 'oldest, but nowarn', { nowarn: true });
    clock.advance(5_000);
    tracker.begin('process_metric', 'slow 1');
    clock.advance(7_000);
    tracker.begin('process_metric', 'slow 2').mark('lock_wait');
    clock.advance(20_000);
    tracker.begin('request', 'young');
    clock.advance(15_500);
    tracker.begin('request', 'finished').finish();

    const health = tracker.health();
    const blocked = tracker.dumpBlocked();
    const inFlight = tracker.dumpInFlight();
    assert.deepEqual(health, {
      enabled: true,
      inFlight: 4,
      slowOps: 2,
      oldestSlowAgeSeconds: 42.5,
      oldestAgeSeconds: 42.5,
      complaintTimeSeconds: 30,
      untracked: 0,
    });
    assert.equal(health.inFlight, inFlight.num_ops);
    assert.equal(health.slowOps, blocked.num_ops);
    assert.equal(health.oldestSlowAgeSeconds, blocked.oldest_age);
    assert.equal(blocked.oldest_age, blocked.ops[0]?.age);
    assert.equal(blocked.complaint_time, 30);
    assert.deepEqual(
      blocked.ops.map((op) => op.description),
      ['slow 1', 'slow 2'],
    );
  });

  it('reports no ages when nothing is in flight', () => {
    const { tracker } = makeTracker();
    tracker.begin('request', 'done').finish();
    const health = tracker.health();
    assert.equal(health.oldestAgeSeconds, null);
    assert.equal(health.oldestSlowAgeSeconds, null);
    assert.equal(tracker.dumpBlocked().oldest_age, null);
  });
});

describe('OpTracker periodic check', () => {
  afterEach(() => {
    mock.timers.reset();
  });

  it('checks every checkIntervalSeconds between start() and stop()', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const { tracker, clock, logger } = makeTracker({ checkIntervalSeconds: 5 });
    tracker.begin('request', 'stuck');
    tracker.start();
    tracker.start();
    clock.advance(30_000);
    mock.timers.tick(4_999);
    assert.equal(logger.warnings.length, 0);
    mock.timers.tick(1);
    assert.equal(logger.warnings.length, 1);
    await tracker.close();
    clock.advance(3_600_000);
    mock.timers.tick(3_600_000);
    assert.equal(logger.warnings.length, 1);
  });
});
