/**
 * Per-metric locks on one machine. Between processes, a metric is covered by one of `stripes`
 * lock folders (proper-lockfile), `<basePath>/locks/stripe-<n>.lock`, chosen by a hash of its id;
 * within a process, by an in-memory table. A process takes a stripe's folder when it takes its
 * first metric of that stripe and gives it back once it holds none, so a worker that processes a
 * block in stripe order (see {@link FileMetricLocks.stripeOf}) creates and removes a folder per
 * stripe rather than per metric, which was most of what a lock cost.
 *
 * Between processes this is coarser than one folder per metric: while a process holds any
 * metric of a stripe, another process finds every metric of that stripe busy (metricd skips them
 * until its next pass, `refresh` waits, as it does for a busy metric). Within a process, metrics
 * are independent.
 *
 * `mkdir` is atomic, so exactly one process creates a folder; the holder refreshes its mtime
 * every `staleMs / 2`, and a folder left by a killed process is taken over once its mtime is
 * `staleMs` old. When a refresh fails or the folder was taken over, every metric the process
 * holds in that stripe is lost, and its holders must stop writing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

import lockfile from 'proper-lockfile';

import { errorCode } from '../fs/fs-helpers.ts';
import { acquireWithin, type MetricLock, type MetricLocks } from './metric-locks.ts';

/** Settings of {@link FileMetricLocks}. */
export interface FileMetricLocksOptions {
  /** The data folder; locks live in its `locks` folder. */
  readonly basePath: string;
  /** Age (ms) after which a lock nobody refreshes is taken over. @defaultValue `10000` */
  readonly staleMs?: number;
  /**
   * Lock folders the metrics are spread over. Every process on one data folder must use the same
   * count (it is not configurable for that reason, only here for tests). @defaultValue `64`
   */
  readonly stripes?: number;
  /** Called when a held lock is lost, once per metric held. */
  readonly onLost?: (metricId: string, error: Error) => void;
}

/** A stripe's folder as this process holds it. */
interface StripeHold {
  /** Metrics of the stripe this process holds now. */
  readonly metrics: Set<string>;
  /** Holders that joined and have not yet named their metric (or given the hold back). */
  joining: number;
  lost: boolean;
  /** Set once the folder is being given back; a new holder waits for it, then takes it again. */
  closed: Promise<void> | undefined;
  /** The map entry this hold resolved from, so that only it is removed. */
  entry: Promise<StripeHold | undefined> | undefined;
  unlock: () => Promise<void>;
}

const DEFAULT_STRIPES = 64;

/** Lock folders on the local file system, one per stripe of metrics. */
export class FileMetricLocks implements MetricLocks {
  readonly #folder: string;
  readonly #staleMs: number;
  readonly #stripes: number;
  readonly #onLost: ((metricId: string, error: Error) => void) | undefined;
  /** Stripes held or being taken, by number; `undefined` inside when another process has it. */
  readonly #holds = new Map<number, Promise<StripeHold | undefined>>();
  #ready: Promise<unknown> | undefined;

  constructor(options: FileMetricLocksOptions) {
    this.#folder = join(options.basePath, 'locks');
    this.#staleMs = options.staleMs ?? 10_000;
    this.#stripes = options.stripes ?? DEFAULT_STRIPES;
    this.#onLost = options.onLost;
  }

  /** The stripe of a metric: metrics processed in this order share their lock folders. */
  stripeOf(metricId: string): number {
    // NOTE: FNV-1a; ids are usually random UUIDs, but nothing here depends on that.
    let hash = 0x811c9dc5;
    for (let i = 0; i < metricId.length; i++) {
      hash = Math.imul(hash ^ metricId.charCodeAt(i), 0x01000193);
    }
    return (hash >>> 0) % this.#stripes;
  }

  /** The lock folder covering a metric. */
  folderOf(metricId: string): string {
    return this.#stripePath(this.stripeOf(metricId));
  }

  #stripePath(stripe: number): string {
    return join(this.#folder, `stripe-${stripe}.lock`);
  }

  async tryAcquire(metricId: string): Promise<MetricLock | undefined> {
    const stripe = this.stripeOf(metricId);
    const hold = await this.#joinStripe(stripe);
    if (hold === undefined) return undefined;
    hold.joining--;
    if (hold.metrics.has(metricId)) {
      await this.#leave(stripe, hold);
      return undefined;
    }
    hold.metrics.add(metricId);
    let released = false;
    return {
      metricId,
      get lost() {
        return hold.lost;
      },
      release: async () => {
        if (released) return;
        released = true;
        hold.metrics.delete(metricId);
        await this.#leave(stripe, hold);
      },
    };
  }

  acquire(metricId: string, timeoutMs: number): Promise<MetricLock | undefined> {
    return acquireWithin(this, metricId, timeoutMs);
  }

  async close(): Promise<void> {
    // NOTE: nothing to release: held locks belong to their holders, who give the folders back.
  }

  /**
   * Joins this process's hold of a stripe, taking its folder first when nobody here holds it;
   * `undefined` when another process holds it. The caller is counted in `joining` until it
   * names its metric or leaves.
   */
  async #joinStripe(stripe: number): Promise<StripeHold | undefined> {
    for (;;) {
      let pending = this.#holds.get(stripe);
      if (pending === undefined) {
        const taking = this.#lockStripe(stripe);
        pending = taking;
        this.#holds.set(stripe, taking);
        // NOTE: registered before any other waiter, so it runs first. A stripe nobody here holds
        // (busy elsewhere, or its folder could not be made) leaves the table, to be tried again.
        taking.then(
          (hold) => {
            if (hold !== undefined) hold.entry = taking;
            else if (this.#holds.get(stripe) === taking) this.#holds.delete(stripe);
          },
          () => {
            if (this.#holds.get(stripe) === taking) this.#holds.delete(stripe);
          },
        );
      }
      const hold = await pending;
      if (hold === undefined) return undefined;
      if (hold.closed === undefined && !hold.lost) {
        hold.joining++;
        return hold;
      }
      // NOTE: the folder is being given back (or was lost): wait, then take it anew.
      if (hold.lost) this.#forget(stripe, hold);
      await hold.closed;
    }
  }

  /** Leaves a stripe; gives its folder back once no metric of it is held here. */
  async #leave(stripe: number, hold: StripeHold): Promise<void> {
    // NOTE: one turn of the event loop first, so that the next metric of the same stripe in a
    // block (already on its way to tryAcquire) joins the hold instead of taking the folder again.
    await nextTurn();
    if (hold.metrics.size > 0 || hold.joining > 0 || hold.closed !== undefined) return;
    hold.closed = this.#unlockQuietly(hold).finally(() => {
      this.#forget(stripe, hold);
    });
    await hold.closed;
  }

  /** Removes a hold from the table, unless a newer one took its place. */
  #forget(stripe: number, hold: StripeHold): void {
    if (hold.entry !== undefined && this.#holds.get(stripe) === hold.entry) {
      this.#holds.delete(stripe);
    }
  }

  async #unlockQuietly(hold: StripeHold): Promise<void> {
    if (hold.lost) return;
    try {
      await hold.unlock();
    } catch (error) {
      // NOTE: a lock compromised between the check and the release is already gone.
      if (errorCode(error) !== 'ERELEASED' && errorCode(error) !== 'ECOMPROMISED') throw error;
    }
  }

  /** Takes a stripe's folder; `undefined` when another process holds it. */
  async #lockStripe(stripe: number): Promise<StripeHold | undefined> {
    this.#ready ??= mkdir(this.#folder, { recursive: true }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    const path = this.#stripePath(stripe);
    const hold: StripeHold = {
      metrics: new Set(),
      joining: 0,
      lost: false,
      closed: undefined,
      entry: undefined,
      unlock: () => Promise.resolve(),
    };
    try {
      hold.unlock = await lockfile.lock(path, {
        lockfilePath: path,
        realpath: false,
        stale: this.#staleMs,
        onCompromised: (error: Error) => {
          hold.lost = true;
          for (const metricId of hold.metrics) this.#onLost?.(metricId, error);
        },
      });
    } catch (error) {
      if (errorCode(error) === 'ELOCKED') return undefined;
      throw error;
    }
    return hold;
  }
}
