/** One timestamped step in an op's life, e.g. `lock_acquired`. */
export interface OpEvent {
  /** Milliseconds since the epoch, from the tracker's clock. */
  readonly time: number;
  readonly name: string;
}

/**
 * An op the tracker follows from {@link OpTracker.begin} to {@link TrackedOp.finish}.
 *
 * Its first event is `initiated` (at `initiatedAt`) and, once finished, its last is `done`.
 */
export interface TrackedOp {
  /** Unique within its tracker; `0` for the shared op handed out while tracking is off. */
  readonly id: number;
  /** What the op is, e.g. `request`, `process_metric`, `refresh`. */
  readonly kind: string;
  /** What it works on, e.g. `GET /v1/metric/…/measures`; dumps can filter on it. */
  readonly description: string;
  /** Milliseconds since the epoch. */
  readonly initiatedAt: number;
  /** In the order they were marked. */
  readonly events: readonly OpEvent[];
  /** Milliseconds since the epoch, once finished. */
  readonly finishedAt: number | undefined;
  /**
   * Keeps the op out of slow-op warnings, the slow count, the oldest ages and the slow history,
   * for ops that are expected to last (Ceph's `nowarn`).
   */
  nowarn: boolean;
  /** Appends an event stamped now; ignored once finished. */
  mark(event: string): void;
  /** Marks `done` and moves the op out of flight; later calls do nothing. */
  finish(): void;
}

/** How {@link OpTracker.begin} starts an op. */
export interface BeginOptions {
  /** Starts the op with {@link TrackedOp.nowarn} set. @defaultValue `false` */
  readonly nowarn?: boolean;
}

/** Milliseconds from start to finish; `0` for an op still in flight. */
export function durationMs(op: TrackedOp): number {
  return (op.finishedAt ?? op.initiatedAt) - op.initiatedAt;
}
