/**
 * One held Redis lock (see `redis-metric-locks.ts` for the key layout): it renews its lease while
 * held and says when it may no longer be trusted.
 *
 * Renewal: every `leaseMs / 3`, one compare-and-PEXPIRE script. A reply of 0 means the key holds
 * another token or none (it expired and may have been taken): the lock is lost. A renewal that
 * fails (Redis unreachable) is retried at the next period and does not by itself lose the lock.
 *
 * Validity, as in Redlock: the lock is also lost once `now() >= validUntil`, where `validUntil` is
 * the time the SET or the last successful renewal was *sent*, plus the lease, minus a safety margin
 * of `leaseMs / 10`. Redis starts a key's TTL when it receives the command, which is after it was
 * sent, so the key cannot expire (and another process cannot take the lock) before the holder's own
 * deadline; the margin absorbs the difference between the two clocks' rates and the time from a
 * check of `lost` to the write it guards. So a holder cut off from Redis, which can learn nothing
 * from it, stops writing before anyone else may start. Once seen true, `lost` stays true.
 */
import type { Redis } from 'ioredis';

import { isRedisUnavailability } from '../redis/redis-connection.ts';
import { LockUnavailableError } from './errors.ts';
import type { MetricLock } from './metric-locks.ts';

/** What a held lock needs from its service. */
export interface RedisMetricLockOptions {
  readonly client: Redis;
  readonly metricId: string;
  readonly key: string;
  /** The owner token the key was SET to. */
  readonly token: string;
  readonly leaseMs: number;
  /** When the SET that took the lock was sent, on the `now` clock. */
  readonly acquiredAt: number;
  readonly now: () => number;
  readonly onLost: ((metricId: string, error: Error) => void) | undefined;
}

/**
 * KEYS: the lock key. ARGV: owner token, lease (ms). Extends the lease when the key still holds
 * the token; returns 1 when it did, 0 otherwise.
 */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/**
 * KEYS: the lock key. ARGV: owner token. Deletes the key when it still holds the token, so that a
 * holder whose lease ran out never deletes the lock another process took since.
 */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** A held lock whose lease is renewed until it is released or lost. */
export class RedisMetricLock implements MetricLock {
  readonly metricId: string;
  readonly fence: { readonly key: string; readonly token: string };
  readonly #options: RedisMetricLockOptions;
  #validUntil: number;
  #lost = false;
  #reported = false;
  #released = false;
  #lastError: unknown;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RedisMetricLockOptions) {
    this.#options = options;
    this.metricId = options.metricId;
    this.fence = Object.freeze({ key: options.key, token: options.token });
    this.#validUntil = this.#deadlineFrom(options.acquiredAt);
    this.#schedule();
  }

  get lost(): boolean {
    // NOTE: read from the clock, not from the renewal timer, so that a holder whose timer is late
    // (a busy event loop) still sees its deadline; once seen, it sticks.
    if (!this.#lost && !this.#released && this.#options.now() >= this.#validUntil) {
      this.#lost = true;
    }
    return this.#lost;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    const lost = this.lost;
    this.#released = true;
    clearTimeout(this.#timer);
    const { client, key, token, metricId } = this.#options;
    try {
      await client.eval(RELEASE_SCRIPT, 1, key, token);
    } catch (error) {
      // NOTE: a lost lock's key is gone, another holder's, or expires by itself: nothing to undo.
      if (lost) return;
      if (!isRedisUnavailability(error)) throw error;
      throw new LockUnavailableError(`could not release the lock of metric ${metricId}`, {
        cause: error,
      });
    }
  }

  #deadlineFrom(sentAt: number): number {
    const { leaseMs } = this.#options;
    return sentAt + leaseMs - leaseMs / 10;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#renew(), this.#options.leaseMs / 3);
    // NOTE: a held lock must not keep the process alive; its holder decides when to stop.
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const { client, key, token, leaseMs, now, metricId } = this.#options;
    const sentAt = now();
    let renewed: unknown;
    try {
      renewed = await client.eval(RENEW_SCRIPT, 1, key, token, leaseMs);
    } catch (error) {
      // NOTE: Redis may be back at the next period; until the deadline the lease still holds.
      this.#lastError = error;
    }
    // NOTE: release() cleared the timer, but not a renewal already in flight.
    if (this.#released) return;
    if (renewed === 0) {
      this.#lose(
        new Error(`the lock of metric ${metricId} expired or was taken by another holder`),
      );
      return;
    }
    // NOTE: the key still held our token, so nobody else can have held the lock meanwhile.
    if (renewed === 1) {
      this.#validUntil = this.#deadlineFrom(sentAt);
      this.#lastError = undefined;
    }
    if (this.lost) this.#lose(this.#expired());
    else this.#schedule();
  }

  #expired(): Error {
    return new LockUnavailableError(
      `could not renew the lock of metric ${this.metricId} within its lease`,
      { cause: this.#lastError },
    );
  }

  #lose(error: Error): void {
    this.#lost = true;
    clearTimeout(this.#timer);
    if (this.#reported) return;
    this.#reported = true;
    this.#options.onLost?.(this.metricId, error);
  }
}
