/**
 * What sub-health detection keeps in the indexer: each group's settings as users set them, and
 * each slow finding as the seed's `slow_inst` table holds it (one row per slow instance per
 * check, so that the two queries of the seed, the timeline and a check's drill-down, are plain
 * SQL on it).
 */

/** A group's settings as stored: the JSON the API's PATCH left, validated by the caller. */
export interface SubhealthGroupRecord {
  readonly name: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** µs since the epoch. */
  readonly updatedAt: number;
}

/** One slow instance in one check. */
export interface SubhealthFinding {
  /** When the row was written (µs). */
  readonly ctime: number;
  /** The group, the seed's virtual cluster. */
  readonly cluster: string;
  /** The check (µs). */
  readonly checkTime: number;
  readonly hostId: string | null;
  readonly hostName: string | null;
  readonly instanceId: string;
  readonly instanceName: string;
  readonly waits: number;
  readonly waitShare: number;
  readonly loadShare: number;
  readonly excess: number;
  /** The wait signals that made it, largest first: name → value in the check. */
  readonly topWaits: Readonly<Record<string, number>>;
  /** Recorded by a group in dry-run: what would have been flagged. */
  readonly dryRun: boolean;
}

/** One point of the timeline: how many instances were slow at a check. */
export interface SubhealthTimelinePoint {
  readonly checkTime: number;
  readonly slowInstances: number;
}

/** A finding of one check with how often its instance was flagged in the 24 h up to it. */
export interface SubhealthCheckFinding extends SubhealthFinding {
  readonly triggerTimes: number;
}

/** The window of the seed's drill-down: the 24 hours up to a check, in µs. */
export const TRIGGER_WINDOW_US = 86_400 * 1_000_000;

/** The sub-health tables. */
export interface SubhealthStore {
  listSubhealthGroups(): Promise<SubhealthGroupRecord[]>;
  /** Creates or replaces a group's settings. */
  putSubhealthGroup(record: SubhealthGroupRecord): Promise<void>;
  /** Deletes a group's settings (and keeps its findings); false when it had none. */
  deleteSubhealthGroup(name: string): Promise<boolean>;
  /** Stores findings; a row already there (same cluster, instance, check) is left as it is. */
  addSubhealthFindings(findings: readonly SubhealthFinding[]): Promise<void>;
  /** The seed's first query: slow instances per check time in `[from, to]`, oldest first. */
  subhealthTimeline(
    cluster: string,
    from: number,
    to: number,
    dryRun?: boolean,
  ): Promise<SubhealthTimelinePoint[]>;
  /**
   * The seed's second query: the findings of one check, each with the times its instance was
   * flagged in `[checkTime − 24 h, checkTime]`.
   */
  subhealthFindings(
    cluster: string,
    checkTime: number,
    dryRun?: boolean,
  ): Promise<SubhealthCheckFinding[]>;
  /** Deletes findings older than `before` (µs); returns how many. */
  expireSubhealthFindings(before: number): Promise<number>;
}
