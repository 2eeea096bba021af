import { LiveOp } from './live-op.ts';
import type { OpEvent, TrackedOp } from './tracked-op.ts';

/**
 * Events a slot holds; an op with more is kept whole. A request has 6 to 8, a metric's
 * processing about 11, a refresh about 13.
 */
const EVENTS_PER_SLOT = 16;

/**
 * Slots of finished ops, copied into columns allocated once: writing an op allocates nothing.
 * The histories keep their ops here rather than holding the ops themselves: an op held for the
 * hundreds of requests that follow it outlived the young generation, so that the collector
 * copied and promoted every op's object, its arrays of events and its strings, which was most of
 * what tracking added to a read (`npm run bench:optracker-instructions`, docs/benchmarks.md).
 * Only an op's description, a string of its own, is still held. Dumps, which are rare, get
 * finished ops made anew from the columns.
 */
export class OpColumns {
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

  constructor(slots: number) {
    this.#ids = new Float64Array(slots);
    this.#initiatedAt = new Float64Array(slots);
    this.#finishedAt = new Float64Array(slots);
    this.#nowarn = new Uint8Array(slots);
    this.#eventCounts = new Uint8Array(slots);
    this.#eventTimes = new Float64Array(slots * EVENTS_PER_SLOT);
    this.#eventNames = new Array<string>(slots * EVENTS_PER_SLOT).fill('');
    this.#kinds = new Array<string>(slots).fill('');
    this.#descriptions = new Array<string>(slots).fill('');
    this.#whole = new Array<TrackedOp | undefined>(slots).fill(undefined);
  }

  /** Copies a finished op into `slot`, over what it held. */
  write(slot: number, op: TrackedOp): void {
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

  /** Lets go of what the op in `slot` alone held, so that it can be collected. */
  release(slot: number): void {
    this.#descriptions[slot] = '';
    this.#whole[slot] = undefined;
  }

  finishedAt(slot: number): number {
    return this.#finishedAt[slot] ?? 0;
  }

  durationMs(slot: number): number {
    return (this.#finishedAt[slot] ?? 0) - (this.#initiatedAt[slot] ?? 0);
  }

  id(slot: number): number {
    return this.#ids[slot] ?? 0;
  }

  /** The op in `slot`, made anew. */
  read(slot: number): TrackedOp {
    const whole = this.#whole[slot];
    if (whole !== undefined) return whole;
    const at = slot * EVENTS_PER_SLOT;
    const events: OpEvent[] = [];
    for (let i = at; i < at + (this.#eventCounts[slot] ?? 0); i++) {
      events.push({ time: this.#eventTimes[i] ?? 0, name: this.#eventNames[i] ?? '' });
    }
    return new FinishedOp({
      id: this.id(slot),
      kind: this.#kinds[slot] ?? '',
      description: this.#descriptions[slot] ?? '',
      initiatedAt: this.#initiatedAt[slot] ?? 0,
      finishedAt: this.finishedAt(slot),
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
