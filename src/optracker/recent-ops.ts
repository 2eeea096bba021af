import { LiveOp } from './live-op.ts';
import type { OpEvent, TrackedOp } from './tracked-op.ts';

/**
 * Events a slot holds; an op with more is kept whole. A request has 6 to 8, a metric's
 * processing about 11, a refresh about 13.
 */
const EVENTS_PER_SLOT = 16;

/**
 * The last `capacity` finished ops, oldest first, copied into columns allocated once: pushing an
 * op allocates nothing. Holding the op itself for the hundreds of requests that follow it made
 * it outlive the young generation, and the collector copied and promoted every op's object,
 * arrays and strings: reads cost a tenth more with tracking on than off, where a history of one
 * op made the difference vanish (`npm run bench:optracker-instructions`, docs/benchmarks.md).
 * Only the description, a string of the op's own, is still held. Dumps, which are rare, get
 * finished ops made from the columns.
 */
export class RecentOps {
  readonly capacity: number;
  readonly #ids: Float64Array;
  readonly #initiatedAt: Float64Array;
  readonly #finishedAt: Float64Array;
  readonly #nowarn: Uint8Array;
  readonly #eventCounts: Uint8Array;
  readonly #eventTimes: Float64Array;
  readonly #eventNames: string[];
  readonly #kinds: string[];
  readonly #descriptions: string[];
  /** The op itself, where its events do not fit in a slot. */
  readonly #whole: (TrackedOp | undefined)[];
  /** Index of the oldest slot. */
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#ids = new Float64Array(capacity);
    this.#initiatedAt = new Float64Array(capacity);
    this.#finishedAt = new Float64Array(capacity);
    this.#nowarn = new Uint8Array(capacity);
    this.#eventCounts = new Uint8Array(capacity);
    this.#eventTimes = new Float64Array(capacity * EVENTS_PER_SLOT);
    this.#eventNames = new Array<string>(capacity * EVENTS_PER_SLOT).fill('');
    this.#kinds = new Array<string>(capacity).fill('');
    this.#descriptions = new Array<string>(capacity).fill('');
    this.#whole = new Array<TrackedOp | undefined>(capacity).fill(undefined);
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
    this.#ids[slot] = op.id;
    this.#kinds[slot] = op.kind;
    this.#descriptions[slot] = op.description;
    this.#initiatedAt[slot] = op.initiatedAt;
    this.#finishedAt[slot] = op.finishedAt ?? op.initiatedAt;
    this.#nowarn[slot] = op.nowarn ? 1 : 0;
    const at = slot * EVENTS_PER_SLOT;
    const count =
      op instanceof LiveOp
        ? op.copyEvents(this.#eventNames, this.#eventTimes, at, EVENTS_PER_SLOT)
        : copyEvents(op.events, this.#eventNames, this.#eventTimes, at);
    const fits = count <= EVENTS_PER_SLOT;
    this.#eventCounts[slot] = fits ? count : 0;
    this.#whole[slot] = fits ? undefined : op;
  }

  /** When the oldest op finished, or `undefined` when empty. */
  oldestFinishedAt(): number | undefined {
    return this.#length === 0 ? undefined : this.#finishedAt[this.#head];
  }

  /** Drops the oldest op. */
  shift(): void {
    if (this.#length === 0) return;
    // NOTE: what the op alone held is let go, so that it can be collected.
    this.#descriptions[this.#head] = '';
    this.#whole[this.#head] = undefined;
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
    for (let i = 0; i < this.#length; i++) out.push(this.#op((this.#head + i) % this.capacity));
    return out;
  }

  #op(slot: number): TrackedOp {
    const whole = this.#whole[slot];
    if (whole !== undefined) return whole;
    const at = slot * EVENTS_PER_SLOT;
    const events: OpEvent[] = [];
    for (let i = at; i < at + (this.#eventCounts[slot] ?? 0); i++) {
      events.push({ time: this.#eventTimes[i] ?? 0, name: this.#eventNames[i] ?? '' });
    }
    return new FinishedOp({
      id: this.#ids[slot] ?? 0,
      kind: this.#kinds[slot] ?? '',
      description: this.#descriptions[slot] ?? '',
      initiatedAt: this.#initiatedAt[slot] ?? 0,
      finishedAt: this.#finishedAt[slot] ?? 0,
      nowarn: this.#nowarn[slot] === 1,
      events,
    });
  }
}

/** Copies events from `at` on; returns their count, with nothing copied when more than a slot. */
function copyEvents(
  events: readonly OpEvent[],
  names: string[],
  times: Float64Array,
  at: number,
): number {
  if (events.length > EVENTS_PER_SLOT) return events.length;
  events.forEach((event, index) => {
    names[at + index] = event.name;
    times[at + index] = event.time;
  });
  return events.length;
}

type FinishedOpFields = Pick<
  TrackedOp,
  'id' | 'kind' | 'description' | 'initiatedAt' | 'events' | 'nowarn'
> & { readonly finishedAt: number };

/** A finished op as a history keeps it: marks and finishes are ignored, as on any finished op. */
class FinishedOp implements TrackedOp {
  readonly id: number;
  readonly kind: string;
  readonly description: string;
  readonly initiatedAt: number;
  readonly finishedAt: number;
  readonly events: readonly OpEvent[];
  nowarn: boolean;

  constructor(fields: FinishedOpFields) {
    this.id = fields.id;
    this.kind = fields.kind;
    this.description = fields.description;
    this.initiatedAt = fields.initiatedAt;
    this.finishedAt = fields.finishedAt;
    this.events = fields.events;
    this.nowarn = fields.nowarn;
  }

  mark(): void {
    // NOTE: a finished op takes no more events.
  }

  finish(): void {
    // NOTE: finished already.
  }
}
