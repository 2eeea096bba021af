/**
 * The detector over checks: the seed's rule flags the instance that holds most of the waits,
 * more than its load explains, after `consecutive` checks, and clears it with hysteresis; a
 * merely busy instance is not flagged; the MAD rule finds outliers where no one dominates. A
 * replay of a recorded hour (generated from a seed, so the same on every run) of skewed but
 * healthy load flags nothing; the same hour with one instance degraded from minute 20 flags it,
 * and only it, within `consecutive` checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_DETECTION_SETTINGS,
  SlowInstanceDetector,
  type DetectionSettings,
  type InstanceSample,
} from '../../src/subhealth/index.ts';
import { mulberry32 } from '../support/mulberry32.ts';

const sample = (id: string, waits: number, cpu: number): InstanceSample => ({
  id,
  waits,
  loads: { cpu },
});

describe('SlowInstanceDetector, share rule', () => {
  it('flags after `consecutive` suspect checks and clears after `clearAfter` quiet ones', () => {
    const detector = new SlowInstanceDetector();
    const slowCheck = [sample('w1', 80, 10), sample('w2', 10, 10), sample('w3', 10, 10)];
    const quietCheck = [sample('w1', 10, 10), sample('w2', 10, 10), sample('w3', 10, 10)];
    const settings = DEFAULT_DETECTION_SETTINGS;
    const flags = [slowCheck, slowCheck, slowCheck, quietCheck, slowCheck, quietCheck].map(
      (check) => detector.check(check, settings),
    );
    assert.deepEqual(
      flags.map((outcome) => outcome.suspects),
      [['w1'], ['w1'], ['w1'], [], ['w1'], []],
    );
    assert.deepEqual(flags[2]?.flagged, ['w1']);
    assert.deepEqual(
      flags.map((outcome) => outcome.slow),
      [[], [], ['w1'], ['w1'], ['w1'], ['w1']],
    );
    assert.deepEqual(detector.check(quietCheck, settings).slow, ['w1'], 'two quiet checks');
    const last = detector.check(quietCheck, settings);
    assert.deepEqual(last.slow, []);
    assert.deepEqual(last.cleared, ['w1']);
  });

  it('does not flag an instance whose waits its load explains', () => {
    const detector = new SlowInstanceDetector();
    const busy = [sample('w1', 70, 80), sample('w2', 15, 10), sample('w3', 15, 10)];
    for (let i = 0; i < 5; i++)
      assert.deepEqual(detector.check(busy, DEFAULT_DETECTION_SETTINGS).suspects, []);
  });

  it('needs enough instances and enough waits', () => {
    const detector = new SlowInstanceDetector();
    const settings = DEFAULT_DETECTION_SETTINGS;
    assert.deepEqual(
      detector.check([sample('a', 90, 1), sample('b', 1, 1)], settings).suspects,
      [],
    );
    const quiet = [sample('a', 8, 1), sample('b', 1, 1), sample('c', 0, 1)];
    assert.deepEqual(detector.check(quiet, settings).suspects, []);
  });
});

describe('SlowInstanceDetector, MAD rule', () => {
  it('finds the outliers of waits per load where no instance holds most waits', () => {
    const settings: DetectionSettings = { ...DEFAULT_DETECTION_SETTINGS, strategy: 'mad' };
    const check = Array.from({ length: 10 }, (_, i) => sample(`n${String(i)}`, 10, 10));
    check[7] = sample('n7', 40, 10);
    const outcome = new SlowInstanceDetector().check(check, settings);
    assert.deepEqual(outcome.suspects, ['n7']);
    assert.ok((outcome.scores.instances[7]?.waitShare ?? 1) < DEFAULT_DETECTION_SETTINGS.minShare);
    const share = new SlowInstanceDetector().check(check, DEFAULT_DETECTION_SETTINGS);
    assert.deepEqual(share.suspects, [], 'the share rule needs a majority');
  });
});

/**
 * A recorded hour of 30 s checks of 6 instances: load skewed (instance 0 does four times the
 * work of the others, with noise), waits proportional to load; `degraded` makes one instance
 * wait twelve times more than its load explains (so that it holds most of the group's waits) from check `from` on.
 */
function recordedHour(degraded?: { id: string; from: number }): InstanceSample[][] {
  const random = mulberry32(20261205);
  return Array.from({ length: 120 }, (_, check) =>
    Array.from({ length: 6 }, (_, i) => {
      const id = `i${String(i)}`;
      const cpu = (i === 0 ? 400 : 100) * (0.8 + 0.4 * random());
      const io = (i === 0 ? 300 : 80) * (0.8 + 0.4 * random());
      let waits = (cpu / 10) * (0.7 + 0.6 * random());
      if (degraded?.id === id && check >= degraded.from) waits *= 12;
      return { id, waits, loads: { cpu, io } };
    }),
  );
}

describe('SlowInstanceDetector, a replayed hour', () => {
  for (const strategy of ['share', 'mad'] as const) {
    const settings: DetectionSettings = { ...DEFAULT_DETECTION_SETTINGS, strategy };

    it(`${strategy}: flags nothing in an hour of skewed but healthy load`, () => {
      const detector = new SlowInstanceDetector();
      const flagged = recordedHour().flatMap((check) => detector.check(check, settings).flagged);
      assert.deepEqual(flagged, []);
    });

    it(`${strategy}: flags the degraded instance, and only it, within consecutive checks`, () => {
      const detector = new SlowInstanceDetector();
      const hour = recordedHour({ id: 'i3', from: 40 });
      const found = hour.map((check) => detector.check(check, settings));
      const first = found.findIndex((outcome) => outcome.flagged.length > 0);
      assert.equal(first, 40 + settings.consecutive - 1);
      assert.deepEqual([...new Set(found.flatMap((outcome) => outcome.slow))], ['i3']);
      assert.ok(found.slice(first).every((outcome) => outcome.slow.includes('i3')));
    });
  }
});
