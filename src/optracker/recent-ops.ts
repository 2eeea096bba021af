import { OpColumns } from './op-columns.ts';
import type { TrackedOp } from './tracked-op.ts';

/**
 * The last `capacity` finished ops, oldest first, as a ring of {@link OpColumns} slots: pushing
 * an op copies it, and a full ring drops its oldest.
 */
export class RecentOps {
  readonly capacity: number;
  readonly #columns: OpColumns;
  /** Slot of the oldest op. */
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#columns = new OpColumns(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Copies a finished op in; on a full ring, the oldest is dropped. */
  push(op: TrackedOp): void {
    if (this.capacity === 0) return;
    const slot = (this.#head + this.#length) % this.capacity;
    if (this.#length < this.capacity) this.#length += 1;
    else this.#head = (this.#head + 1) % this.capacity;
    this.#columns.write(slot, op);
  }

  /** When the oldest op finished, or `undefined` when empty. */
  oldestFinishedAt(): number | undefined {
    return this.#length === 0 ? undefined : this.#columns.finishedAt(this.#head);
  }

  /** Drops the oldest op. */
  shift(): void {
    if (this.#length === 0) return;
    this.#columns.release(this.#head);
    this.#head = (this.#head + 1) % this.capacity;
    this.#length -= 1;
  }

  clear(): void {
    while (this.#length > 0) this.shift();
    this.#head = 0;
  }

  /** The ops, oldest first, as finished ops made anew. */
  toArray(): TrackedOp[] {
    const out: TrackedOp[] = [];
    for (let i = 0; i < this.#length; i++) {
      out.push(this.#columns.read((this.#head + i) % this.capacity));
    }
    return out;
  }
}
