/**
 * Which instances of a group are slow, check after check: a rule picks the suspects of one check
 * (`share`: the seed's rule; `mad`: HDFS's outlier rule), an instance becomes slow after
 * `consecutive` suspect checks in a row and is cleared after `clearAfter` checks in a row that do
 * not suspect it (hysteresis, so that one quiet check does not make a slow instance flap).
 */
import { scoreCheck, type CheckScores, type InstanceSample } from './check-scores.ts';

/** How suspects are picked in one check. */
export type DetectionStrategy = 'share' | 'mad';

/** A group's thresholds; see {@link DEFAULT_DETECTION_SETTINGS} for each default and why. */
export interface DetectionSettings {
  readonly strategy: DetectionStrategy;
  /** `share`: the top instance's wait share must be above this. */
  readonly minShare: number;
  /** Its waits must exceed what its load share explains by this factor (`mad`: the lowest threshold). */
  readonly minExcess: number;
  /** The group's waits in the check must reach this, so that a quiet group flags nobody. */
  readonly minTotalWaits: number;
  /** The group must have this many instances, so that "among its peers" means something. */
  readonly minInstances: number;
  /** Suspect checks in a row before an instance is slow. */
  readonly consecutive: number;
  /** Checks in a row without suspicion before a slow instance is cleared. */
  readonly clearAfter: number;
}

/**
 * The defaults. `minShare` 0.5: the seed's "most of the group's waits". `minExcess` 1.5: waiting
 * half as much again as its share of the work explains; smaller flags ordinary noise in a
 * skewed group. `minTotalWaits` 10: a group that barely waits has no slow member worth naming.
 * `minInstances` 3: with two, "the top one" is a coin toss. `consecutive` 3: at the 30 s
 * interval, a minute and a half of evidence, which a burst or a compaction does not give.
 * `clearAfter` 3: as long to clear as to flag.
 */
export const DEFAULT_DETECTION_SETTINGS: DetectionSettings = Object.freeze({
  strategy: 'share',
  minShare: 0.5,
  minExcess: 1.5,
  minTotalWaits: 10,
  minInstances: 3,
  consecutive: 3,
  clearAfter: 3,
});

/** MAD scaled to a normal distribution's standard deviation, as HDFS's detector scales it. */
const MAD_SCALE = 1.4826;

/** The suspects of one check by the group's rule. */
export function suspectsOf(scores: CheckScores, settings: DetectionSettings): Set<string> {
  const { instances } = scores;
  if (instances.length < settings.minInstances || scores.totalWaits < settings.minTotalWaits) {
    return new Set();
  }
  if (settings.strategy === 'mad') {
    const excesses = instances.map((instance) => instance.excess);
    const middle = median(excesses);
    const spread = MAD_SCALE * median(excesses.map((excess) => Math.abs(excess - middle)));
    const threshold = Math.max(settings.minExcess, 3 * middle, middle + 3 * spread);
    return new Set(
      instances.filter((instance) => instance.excess > threshold).map((instance) => instance.id),
    );
  }
  const ranked = [...instances].sort((a, b) => b.waitShare - a.waitShare);
  const [top, second] = ranked;
  if (top === undefined || top.waitShare === second?.waitShare) return new Set();
  return top.waitShare > settings.minShare && top.excess >= settings.minExcess
    ? new Set([top.id])
    : new Set();
}

/** What one check found. */
export interface CheckOutcome {
  readonly scores: CheckScores;
  /** Suspected in this check. */
  readonly suspects: readonly string[];
  /** Slow after this check (those flagged now included). */
  readonly slow: readonly string[];
  /** Became slow in this check. */
  readonly flagged: readonly string[];
  /** Stopped being slow in this check. */
  readonly cleared: readonly string[];
}

interface Streak {
  suspected: number;
  unsuspected: number;
  slow: boolean;
}

/** The detector of one group; it remembers each instance's streak between checks. */
export class SlowInstanceDetector {
  readonly #streaks = new Map<string, Streak>();

  /** Scores a check, picks its suspects, and moves every instance's streak on. */
  check(samples: readonly InstanceSample[], settings: DetectionSettings): CheckOutcome {
    const scores = scoreCheck(samples);
    const suspects = suspectsOf(scores, settings);
    const present = new Set(samples.map((sample) => sample.id));
    for (const id of this.#streaks.keys()) if (!present.has(id)) this.#streaks.delete(id);
    const flagged: string[] = [];
    const cleared: string[] = [];
    for (const { id } of scores.instances) {
      let streak = this.#streaks.get(id);
      if (streak === undefined) {
        streak = { suspected: 0, unsuspected: 0, slow: false };
        this.#streaks.set(id, streak);
      }
      if (suspects.has(id)) {
        streak.suspected++;
        streak.unsuspected = 0;
        if (!streak.slow && streak.suspected >= settings.consecutive) {
          streak.slow = true;
          flagged.push(id);
        }
      } else {
        streak.suspected = 0;
        streak.unsuspected++;
        if (streak.slow && streak.unsuspected >= settings.clearAfter) {
          streak.slow = false;
          cleared.push(id);
        }
      }
    }
    const slow = [...this.#streaks].filter(([, streak]) => streak.slow).map(([id]) => id);
    return { scores, suspects: [...suspects], slow, flagged, cleared };
  }

  /** Forgets every streak (detection disabled, or its settings changed). */
  reset(): void {
    this.#streaks.clear();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1
    ? (sorted[half] ?? 0)
    : ((sorted[half - 1] ?? 0) + (sorted[half] ?? 0)) / 2;
}
