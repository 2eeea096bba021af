/**
 * One check of a group, scored: each instance's share of the group's waits and of its load, and
 * how far its waits exceed what its load explains. The seed's idea: a node that only has more
 * work (load skew) waits more for a good reason, so waits are judged against load; skew and a
 * fault are assumed not to coincide on one node.
 */

/** What one instance showed over one check interval. */
export interface InstanceSample {
  readonly id: string;
  /** Waits in the interval (a count or seconds blocked; one unit per group). */
  readonly waits: number;
  /** Each load signal's work in the interval, by signal name (CPU seconds, bytes, measures…). */
  readonly loads: Readonly<Record<string, number>>;
}

/** An instance's scores in one check. */
export interface InstanceScore {
  readonly id: string;
  readonly waits: number;
  /** Its waits over the group's, 0 when the group did not wait. */
  readonly waitShare: number;
  /** The mean over load signals of its share of that signal (signals nobody did are left out). */
  readonly loadShare: number;
  /** Its share of each load signal. */
  readonly loadShares: Readonly<Record<string, number>>;
  /**
   * Wait share over load share, the load share floored at a quarter of an even share (1/4N):
   * an idle instance with a few waits does not stand out by a division by nearly nothing, while
   * an instance whose slowness cut the work it got done (a slow worker takes less work) keeps
   * most of its excess, which a floor at an even share would hide.
   */
  readonly excess: number;
}

/** The scores of every instance of one check. */
export interface CheckScores {
  readonly totalWaits: number;
  readonly instances: readonly InstanceScore[];
}

/** The load share floor is an even share (1/N) divided by this. */
export const LOAD_FLOOR_DIVISOR = 4;

/** Scores one check; negative or non-finite figures count as 0. */
export function scoreCheck(samples: readonly InstanceSample[]): CheckScores {
  const count = samples.length;
  const clean = (value: number): number => (Number.isFinite(value) && value > 0 ? value : 0);
  const totalWaits = samples.reduce((sum, sample) => sum + clean(sample.waits), 0);
  const totals = new Map<string, number>();
  for (const sample of samples) {
    for (const [signal, value] of Object.entries(sample.loads)) {
      totals.set(signal, (totals.get(signal) ?? 0) + clean(value));
    }
  }
  const signals = [...totals].filter(([, total]) => total > 0).map(([signal]) => signal);
  const floor = count === 0 ? 0 : 1 / (LOAD_FLOOR_DIVISOR * count);
  const instances = samples.map((sample) => {
    const loadShares: Record<string, number> = {};
    for (const signal of signals) {
      loadShares[signal] = clean(sample.loads[signal] ?? 0) / (totals.get(signal) ?? 1);
    }
    const loadShare =
      signals.length === 0
        ? floor
        : Object.values(loadShares).reduce((sum, share) => sum + share, 0) / signals.length;
    const waitShare = totalWaits === 0 ? 0 : clean(sample.waits) / totalWaits;
    return {
      id: sample.id,
      waits: clean(sample.waits),
      waitShare,
      loadShare,
      loadShares,
      excess: waitShare / Math.max(loadShare, floor),
    };
  });
  return { totalWaits, instances };
}
