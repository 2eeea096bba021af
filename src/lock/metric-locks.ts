/**
 * Per-metric locks: one writer per metric for the whole read-modify-write of its processing
 * (metricd's workers, the API's `refresh`, the janitor). A busy metric is skipped by metricd and
 * waited for, up to a timeout, by `refresh`. Backends: lock folders for the processes of one
 * machine (`file-metric-locks.ts`), Redis keys with a renewed lease for several machines
 * (`redis-metric-locks.ts`).
 */

/** A held lock. */
export interface MetricLock {
  readonly metricId: string;
  /**
   * Whether the lock was lost while held (its lease ran out, or another process judged it stale
   * and took it over); a holder that sees this must stop writing.
   */
  readonly lost: boolean;
  /**
   * The lock's key and its holder's token on the coordination Redis, so that a write to the same
   * Redis server can check, atomically with the write, that the lock is still held (fencing).
   * `undefined` for locks that live elsewhere (lock folders).
   */
  readonly fence?: { readonly key: string; readonly token: string };
  /** Releases the lock; harmless when it was lost or already released. */
  release(): Promise<void>;
}

/** A lock service. */
export interface MetricLocks {
  /** Takes a metric's lock if it is free; `undefined` when another holder has it. */
  tryAcquire(metricId: string): Promise<MetricLock | undefined>;
  /** Takes a metric's lock, waiting up to `timeoutMs` for it; `undefined` on timeout. */
  acquire(metricId: string, timeoutMs: number): Promise<MetricLock | undefined>;
  /** Releases what the service itself opened. Held locks are released by their holders. */
  close(): Promise<void>;
  /**
   * Where locks are shared among metrics (lock folders), the share a metric belongs to: taking
   * the locks of a block in this order costs less. Absent where every metric's lock stands alone.
   */
  stripeOf?(metricId: string): number;
}

/** Polls `tryAcquire` until it succeeds or `timeoutMs` has passed. */
export async function acquireWithin(
  locks: Pick<MetricLocks, 'tryAcquire'>,
  metricId: string,
  timeoutMs: number,
  pollMs = 25,
): Promise<MetricLock | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await locks.tryAcquire(metricId);
    if (lock !== undefined) return lock;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
}
