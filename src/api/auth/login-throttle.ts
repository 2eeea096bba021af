/**
 * Per-client limit on failed authentications: a client that failed `limit` times within
 * `windowMs` is refused until the oldest of those failures leaves the window, whatever it sends,
 * so that guessing passwords costs an attacker `windowMs / limit` per guess.
 */
import { remember } from './remember.ts';

/** Settings of a {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failures within the window that lock a client out. */
  readonly limit: number;
  readonly windowMs: number;
  /** Clients remembered at most; the least recently failed are forgotten first. */
  readonly maxClients?: number;
  readonly clock?: () => number;
}

/** Failed authentications by client address. */
export class LoginThrottle {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxClients: number;
  readonly #clock: () => number;
  /** Failure times per client, oldest first; map order is least recently failed first. */
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginThrottleOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxClients = options.maxClients ?? 100_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** Milliseconds until the client may try again, or 0 when it may now. */
  lockedFor(client: string): number {
    const times = this.#recent(client);
    if (times.length < this.#limit) return 0;
    const oldest = times[times.length - this.#limit] ?? 0;
    return Math.max(1, oldest + this.#windowMs - this.#clock());
  }

  /** Records a failure of the client; returns how many it has within the window. */
  fail(client: string): number {
    const times = this.#recent(client);
    times.push(this.#clock());
    // NOTE: only the last `limit` failures ever decide a lockout.
    if (times.length > this.#limit) times.splice(0, times.length - this.#limit);
    this.#failures.delete(client);
    remember(this.#failures, client, times, this.#maxClients);
    return times.length;
  }

  #recent(client: string): number[] {
    const times = this.#failures.get(client);
    if (times === undefined) return [];
    const since = this.#clock() - this.#windowMs;
    const first = times.findIndex((time) => time > since);
    if (first === -1) {
      this.#failures.delete(client);
      return [];
    }
    if (first > 0) times.splice(0, first);
    return times;
  }
}
