/**
 * The backlog as `GET /v1/status` reads it, at a cost that does not grow with the backlog.
 *
 * Counting batches and measures takes a listing per waiting metric (about 27 µs each on the file
 * store, so over a second with 50,000 metrics waiting). While fewer than `reuseFromMetrics` wait,
 * every read counts afresh, so that a read always sees the writes acknowledged before it, and a
 * client waiting for the backlog to drain is never told it did from an older count. Once the
 * newest count found more, a read answers at once with it and, when that count is older than it
 * took to make, starts the next one in the background: one count at a time, busy at most half of
 * the time however often it is read. A read waits for a count only when there is none yet, or
 * when the newest is older than `maxAgeMs`. The rule follows the size of the backlog, not how long
 * a count took, so that a slow count on a busy machine never makes a small backlog stale.
 */
import type { Backlog } from './incoming-driver.ts';

/** Options of {@link BacklogCache}. */
export interface BacklogCacheOptions {
  /** Counts that found fewer metrics waiting than this are never reused. @defaultValue 5,000 */
  readonly reuseFromMetrics?: number;
  /** A count older than this is never answered; the read waits for a new one. @defaultValue 60 s */
  readonly maxAgeMs?: number;
  /** The clock, for tests. @defaultValue `performance.now`-based milliseconds */
  readonly now?: () => number;
}

/** A count and when it began (what it can be older than). */
export interface CountedBacklog {
  /** The backlog, with its per-metric details. */
  readonly backlog: Backlog;
  /** Milliseconds from the beginning of the count to the read it answers; 0 when counted for it. */
  readonly ageMs: number;
}

interface FinishedCount {
  readonly backlog: Backlog;
  readonly startedAt: number;
  readonly costMs: number;
}

/** Counts a backlog afresh while it is small, and at most once at a time once it is large. */
export class BacklogCache {
  readonly #count: () => Promise<Backlog>;
  readonly #reuseFromMetrics: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #last: FinishedCount | undefined;
  #running: Promise<FinishedCount> | undefined;

  /** @param count counts the backlog with its details (`incoming.backlog({ details: true })`). */
  constructor(count: () => Promise<Backlog>, options: BacklogCacheOptions = {}) {
    this.#count = count;
    this.#reuseFromMetrics = options.reuseFromMetrics ?? 5_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The backlog, counted for this read or, when it is large, a recent count. */
  async read(): Promise<CountedBacklog> {
    const last = this.#last;
    const now = this.#now();
    if (last === undefined || last.backlog.metrics < this.#reuseFromMetrics) {
      // NOTE: not joined with a count already running: it began before this read and may miss a
      // write acknowledged since.
      return this.#answer(await this.#start(), now);
    }
    const age = now - last.startedAt;
    if (age > this.#maxAgeMs) return this.#answer(await (this.#running ?? this.#start()), now);
    if (this.#running === undefined && age > last.costMs) {
      // NOTE: a failed background count leaves the previous one in place; the next read retries.
      this.#start().catch(() => undefined);
    }
    return this.#answer(last, now);
  }

  #answer(count: FinishedCount, readAt: number): CountedBacklog {
    return { backlog: count.backlog, ageMs: Math.max(0, readAt - count.startedAt) };
  }

  #start(): Promise<FinishedCount> {
    const startedAt = this.#now();
    const running = this.#count().then((backlog) => {
      const finished = { backlog, startedAt, costMs: this.#now() - startedAt };
      if (this.#last === undefined || this.#last.startedAt <= startedAt) this.#last = finished;
      return finished;
    });
    this.#running = running;
    const clear = (): void => {
      if (this.#running === running) this.#running = undefined;
    };
    running.then(clear, clear);
    return running;
  }
}
