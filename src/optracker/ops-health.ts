/**
 * The state of the ops in flight, as data to be shown or turned into figures, never text to
 * parse. Every age leaves nowarn ops out; `null` means there is no such op, not an age of zero.
 */
export interface OpsHealth {
  readonly enabled: boolean;
  /** Every op in flight, nowarn ones included. */
  readonly inFlight: number;
  /** In-flight ops at least `complaintTimeSeconds` old, nowarn ones excepted. */
  readonly slowOps: number;
  /** Age of the oldest slow op, or `null` when there is none. */
  readonly oldestSlowAgeSeconds: number | null;
  /** Age of the oldest op in flight, or `null` when there is none. */
  readonly oldestAgeSeconds: number | null;
  readonly complaintTimeSeconds: number;
  /** Ops begun while `ops.maxInFlight` were in flight, and so not tracked, since the start. */
  readonly untracked: number;
}

/** What one slow-op check found and did. */
export interface SlowOpsCheck {
  readonly slowOps: number;
  /** Warnings logged by this check (at most `logThreshold`). */
  readonly warned: number;
}
