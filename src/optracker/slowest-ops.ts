import { OpColumns } from './op-columns.ts';
import { durationMs, type TrackedOp } from './tracked-op.ts';

/**
 * The `capacity` slowest finished ops offered, as a min-heap on duration so that an offer costs
 * O(log capacity) and never a sort. As in Ceph, an op evicted for being faster is gone for good:
 * when the slowest expire, the view shrinks rather than recalling faster ops it had turned away.
 * The ops are copied into {@link OpColumns} slots (see there why); the heap orders slot numbers.
 */
export class SlowestOps {
  readonly capacity: number;
  readonly #columns: OpColumns;
  /** Slots in heap order; the fastest op's slot first. */
  readonly #heap: number[] = [];
  /** Slots holding no op. */
  readonly #free: number[];
  /** Earliest finish time in the heap, so that expiring usually costs nothing. */
  #earliestFinish = Infinity;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#columns = new OpColumns(capacity);
    this.#free = Array.from({ length: capacity }, (_, slot) => capacity - 1 - slot);
  }

  get length(): number {
    return this.#heap.length;
  }

  offer(op: TrackedOp): void {
    const heap = this.#heap;
    const fastest = heap[0];
    if (heap.length < this.capacity) {
      const slot = this.#free.pop() ?? heap.length;
      this.#columns.write(slot, op);
      heap.push(slot);
      this.#siftUp(heap.length - 1);
    } else if (fastest !== undefined && durationMs(op) > this.#columns.durationMs(fastest)) {
      this.#columns.write(fastest, op);
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
    for (const slot of heap) {
      const finish = this.#columns.finishedAt(slot);
      if (finish < cutoff) {
        this.#release(slot);
        continue;
      }
      heap[kept++] = slot;
      earliest = Math.min(earliest, finish);
    }
    heap.length = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    this.#earliestFinish = earliest;
  }

  clear(): void {
    for (const slot of this.#heap) this.#release(slot);
    this.#heap.length = 0;
    this.#earliestFinish = Infinity;
  }

  /** The ops, slowest first, as finished ops made anew. */
  toArray(): TrackedOp[] {
    return this.#heap
      .map((slot) => this.#columns.read(slot))
      .sort((a, b) => durationMs(b) - durationMs(a) || a.id - b.id);
  }

  #release(slot: number): void {
    this.#columns.release(slot);
    this.#free.push(slot);
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
    const columns = this.#columns;
    return columns.durationMs(this.#heap[a] ?? 0) < columns.durationMs(this.#heap[b] ?? 0);
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    const held = heap[a] ?? 0;
    heap[a] = heap[b] ?? 0;
    heap[b] = held;
  }
}
