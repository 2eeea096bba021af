/**
 * Per-metric locks in Redis, for the processes of several machines. Keys, under a prefix `P`
 * (default `orzo:`; the other Redis backends' keys under the same prefix never start with `lock:`):
 *
 *     P lock:<metric-uuid>    string   the holder's owner token (16 random bytes as hex); TTL the
 *                                      lease, renewed by the holder (`redis-metric-lock.ts`)
 *
 * Taking a lock is one `SET key token PX lease NX`: exactly one process creates the key, and a
 * holder that dies stops renewing it, so it is free once its lease runs out. Only a compare-and-
 * set script with the owner's token extends or deletes the key. The key and token are offered as
 * the lock's `fence`, so that a write to the same Redis server can check the lock atomically.
 * The caller owns the client unless `closeClient` says otherwise (see `redis/redis-connection.ts`
 * for the options that make failures fast); unavailability is reported as
 * {@link LockUnavailableError}.
 */
import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import {
  isRedisUnavailability,
  quitRedisClient,
  waitUntilConnected,
} from '../redis/redis-connection.ts';
import { LockUnavailableError } from './errors.ts';
import { acquireWithin, type MetricLock, type MetricLocks } from './metric-locks.ts';
import { RedisMetricLock } from './redis-metric-lock.ts';

/** The default key prefix. */
export const DEFAULT_REDIS_LOCK_PREFIX = 'orzo:';

/** Options of {@link RedisMetricLocks}. */
export interface RedisMetricLocksOptions {
  /** The connection for commands (see `createRedisClient`). */
  readonly client: Redis;
  /** Key prefix. @defaultValue `orzo:` */
  readonly prefix?: string;
  /**
   * How long a lock outlives its last renewal (ms); it is renewed every third of that.
   * @defaultValue `10000`
   */
  readonly leaseMs?: number;
  /** Called once when a held lock is lost. */
  readonly onLost?: (metricId: string, error: Error) => void;
  /** Quit `client` in `close()`, for whoever handed it over. @defaultValue `false` */
  readonly closeClient?: boolean;
  /**
   * The clock leases are measured on (ms). @defaultValue `performance.now`, which wall-clock
   * steps (NTP, an operator) cannot move
   */
  readonly now?: () => number;
}

/** Locks as Redis keys with a renewed lease. */
export class RedisMetricLocks implements MetricLocks {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #onLost: ((metricId: string, error: Error) => void) | undefined;
  readonly #closeClient: boolean;
  readonly #now: () => number;

  constructor(options: RedisMetricLocksOptions) {
    const leaseMs = options.leaseMs ?? 10_000;
    if (!Number.isInteger(leaseMs) || leaseMs < 3) {
      throw new RangeError(`lock lease must be an integer of at least 3 ms, not ${leaseMs}`);
    }
    this.#client = options.client;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_LOCK_PREFIX;
    this.#leaseMs = leaseMs;
    this.#onLost = options.onLost;
    this.#closeClient = options.closeClient ?? false;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The key of a metric's lock. */
  lockKey(metricId: string): string {
    return `${this.#prefix}lock:${metricId}`;
  }

  async tryAcquire(metricId: string): Promise<MetricLock | undefined> {
    const key = this.lockKey(metricId);
    const token = randomBytes(16).toString('hex');
    if (!(await waitUntilConnected(this.#client))) {
      throw new LockUnavailableError(
        `coordination Redis is unavailable (connection ${this.#client.status})`,
      );
    }
    // NOTE: the lease is counted from before the SET leaves, never from its reply.
    const acquiredAt = this.#now();
    let reply: string | null;
    try {
      reply = await this.#client.set(key, token, 'PX', this.#leaseMs, 'NX');
    } catch (error) {
      if (!isRedisUnavailability(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new LockUnavailableError(`coordination Redis is unavailable: ${reason}`, {
        cause: error,
      });
    }
    if (reply === null) return undefined;
    return new RedisMetricLock({
      client: this.#client,
      metricId,
      key,
      token,
      leaseMs: this.#leaseMs,
      acquiredAt,
      now: this.#now,
      onLost: this.#onLost,
    });
  }

  acquire(metricId: string, timeoutMs: number): Promise<MetricLock | undefined> {
    return acquireWithin(this, metricId, timeoutMs);
  }

  async close(): Promise<void> {
    // NOTE: held locks belong to their holders; their renewal timers do not keep the process
    // alive, and once the client is gone they expire by themselves.
    if (this.#closeClient) await quitRedisClient(this.#client);
  }
}
