import { durationMs, type TrackedOp } from './tracked-op.ts';

/**
 * The `capacity` slowest finished ops offered, as a min-heap on duration so that an offer costs
 * O(log capacity) and never a sort. As in Ceph, an op evicted for being faster is gone for good:
 * when the slowest expire, the view shrinks rather than recalling faster ops it had turned away.
 */
export class SlowestOps {
  readonly capacity: number;
  readonly #heap: TrackedOp[] = [];
  /** Earliest finish time in the heap, so that expiring usually costs nothing. */
  #earliestFinish = Infinity;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get length(): number {
    return this.#heap.length;
  }

  offer(op: TrackedOp): void {
    const heap = this.#heap;
    if (heap.length < this.capacity) {
      heap.push(op);
      this.#siftUp(heap.length - 1);
    } else if (heap.length > 0 && durationMs(op) > durationMs(heap[0] as TrackedOp)) {
      heap[0] = op;
      this.#siftDown(0);
    } else {
      return;
    }
    this.#earliestFinish = Math.min(this.#earliestFinish, op.finishedAt ?? op.initiatedAt);
  }

  /** Drops the ops that finished before `cutoff` (ms since the epoch), in O(capacity). */
  expire(cutoff: number): void {
    if (this.#earliestFinish >= cutoff) return;
    const heap = this.#heap;
    let kept = 0;
    let earliest = Infinity;
    for (const op of heap) {
      const finish = op.finishedAt ?? op.initiatedAt;
      if (finish < cutoff) continue;
      heap[kept++] = op;
      earliest = Math.min(earliest, finish);
    }
    heap.length = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    this.#earliestFinish = earliest;
  }

  clear(): void {
    this.#heap.length = 0;
    this.#earliestFinish = Infinity;
  }

  /** The ops, slowest first. */
  toArray(): TrackedOp[] {
    return [...this.#heap].sort((a, b) => durationMs(b) - durationMs(a) || a.id - b.id);
  }

  #siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#faster(child, parent)) return;
      this.#swap(child, parent);
      child = parent;
    }
  }

  #siftDown(index: number): void {
    const size = this.#heap.length;
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < size && this.#faster(left, smallest)) smallest = left;
      if (right < size && this.#faster(right, smallest)) smallest = right;
      if (smallest === parent) return;
      this.#swap(parent, smallest);
      parent = smallest;
    }
  }

  #faster(a: number, b: number): boolean {
    return durationMs(this.#heap[a] as TrackedOp) < durationMs(this.#heap[b] as TrackedOp);
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    const held = heap[a] as TrackedOp;
    heap[a] = heap[b] as TrackedOp;
    heap[b] = held;
  }
}
