/**
 * Where finished ops go: three views, each bounded so that memory stays flat under any load.
 *
 * - recent: the last `size` ops to finish, dropped `durationMs` after they finished;
 * - slowest: the `size` slowest ops that finished within the last `durationMs`;
 * - slow: the last `slowSize` ops that took at least `slowThresholdMs` (nowarn ops excepted),
 *   bounded by count only, so that an incident's slow ops outlive the window for post-mortems.
 *
 * Ceph keeps one set (its size bound evicts the fastest, so "historic" is really "slowest"); the
 * recent view is kept apart here because operators in an incident ask "what just happened".
 * Ages count from an op's finish, not its start, so that an op longer than the window is still
 * seen once it ends. Ops must be inserted in the order they finished.
 */
import { Ring } from './ring.ts';
import { SlowestOps } from './slowest-ops.ts';
import { durationMs, type TrackedOp } from './tracked-op.ts';

/** The bounds of an {@link OpHistory}. */
export interface OpHistoryBounds {
  readonly size: number;
  readonly durationMs: number;
  readonly slowSize: number;
  readonly slowThresholdMs: number;
}

/** Finished ops, by finish order, by duration, and the slow ones. */
export class OpHistory {
  readonly bounds: OpHistoryBounds;
  readonly #recent: Ring<TrackedOp>;
  readonly #slowest: SlowestOps;
  readonly #slow: Ring<TrackedOp>;

  constructor(bounds: OpHistoryBounds) {
    this.bounds = bounds;
    this.#recent = new Ring(bounds.size);
    this.#slowest = new SlowestOps(bounds.size);
    this.#slow = new Ring(bounds.slowSize);
  }

  /** Adds a finished op; ops must come in the order they finished. */
  insert(op: TrackedOp): void {
    this.#recent.push(op);
    this.#slowest.offer(op);
    if (!op.nowarn && durationMs(op) >= this.bounds.slowThresholdMs) this.#slow.push(op);
  }

  /** Drops from the windowed views the ops that finished more than `durationMs` before `now`. */
  prune(now: number): void {
    const cutoff = now - this.bounds.durationMs;
    for (let op = this.#recent.peek(); op !== undefined; op = this.#recent.peek()) {
      if ((op.finishedAt ?? op.initiatedAt) >= cutoff) break;
      this.#recent.shift();
    }
    this.#slowest.expire(cutoff);
  }

  clear(): void {
    this.#recent.clear();
    this.#slowest.clear();
    this.#slow.clear();
  }

  /** Oldest finish first. */
  recent(): TrackedOp[] {
    return this.#recent.toArray();
  }

  /** Slowest first. */
  slowest(): TrackedOp[] {
    return this.#slowest.toArray();
  }

  /** Oldest finish first. */
  slow(): TrackedOp[] {
    return this.#slow.toArray();
  }
}
