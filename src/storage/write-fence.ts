/**
 * Fencing of storage writes: how a writer shows, at each write, that it still holds the metric's
 * lock. Storage knows no lock service (locks and storage are sibling backends); the caller builds
 * the fence from its lock.
 *
 * Two levels: `assertHeld` is checked by the service right before each driver write, which stops
 * a holder that already knows its lock is lost; a key and token, when the lock lives on the same
 * Redis server as the storage, are checked by the Redis driver in the same script as the write,
 * which also stops a write that was already on its way when the lock was lost.
 */

/** A Redis key that must hold `token` for a write to apply (the lock's key and owner token). */
export interface FenceToken {
  readonly key: string;
  readonly token: string;
}

/** The writer's lock, as storage sees it. */
export interface WriteFence {
  /** Throws when the writer's lock was lost; called right before each driver write. */
  assertHeld(): void;
  /** With `token`: the lock's key, on the same Redis server (and db) as the storage. */
  readonly key?: string;
  readonly token?: string;
}

/** The key and token of a fence, when it has both. */
export function fenceTokenOf(fence: WriteFence | undefined): FenceToken | undefined {
  if (fence?.key === undefined || fence.token === undefined) return undefined;
  return { key: fence.key, token: fence.token };
}
