/** A first-in first-out buffer of fixed capacity: pushing onto a full ring drops the oldest. */
export class Ring<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  /** Index of the oldest item. */
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.capacity === 0) return;
    this.#items[(this.#head + this.#length) % this.capacity] = item;
    if (this.#length < this.capacity) this.#length += 1;
    else this.#head = (this.#head + 1) % this.capacity;
  }

  /** The oldest item, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Drops the oldest item. */
  shift(): void {
    if (this.#length === 0) return;
    // NOTE: the slot is cleared so that a dropped op can be collected.
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#length -= 1;
  }

  clear(): void {
    while (this.#length > 0) this.shift();
    this.#head = 0;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#length; i++) {
      out.push(this.#items[(this.#head + i) % this.capacity] as T);
    }
    return out;
  }
}
