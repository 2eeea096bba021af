import type { OpEvent, TrackedOp } from './tracked-op.ts';

/** What a {@link LiveOp} needs from its tracker. */
export interface OpHost {
  readonly now: () => number;
  /** Takes a just-finished op out of flight. */
  retire(op: LiveOp): void;
}

/**
 * A tracked op as the tracker holds it, with the tracker's own bookkeeping. Events are kept as
 * two arrays of names and times, the event objects made only when a dump or a warning asks for
 * them: an op is marked several times per request, and dumped seldom.
 */
export class LiveOp implements TrackedOp {
  readonly id: number;
  readonly kind: string;
  readonly description: string;
  readonly initiatedAt: number;
  finishedAt: number | undefined = undefined;
  nowarn: boolean;
  /** The next slow-op warning is due at an age of complaint time × this; it doubles each time. */
  warnMultiplier = 1;
  readonly #host: OpHost;
  readonly #names: string[];
  readonly #times: number[];

  constructor(host: OpHost, id: number, kind: string, description: string) {
    this.#host = host;
    this.id = id;
    this.kind = kind;
    this.description = description;
    this.initiatedAt = host.now();
    this.#names = ['initiated'];
    this.#times = [this.initiatedAt];
    this.nowarn = false;
  }

  get events(): readonly OpEvent[] {
    const times = this.#times;
    return this.#names.map((name, index) => ({ time: times[index] ?? 0, name }));
  }

  /** The last event marked (an op always has its `initiated` one). */
  get lastEvent(): OpEvent {
    const last = this.#names.length - 1;
    return { time: this.#times[last] ?? 0, name: this.#names[last] ?? '' };
  }

  mark(event: string): void {
    if (this.finishedAt !== undefined) return;
    this.#names.push(event);
    this.#times.push(this.#host.now());
  }

  finish(): void {
    if (this.finishedAt !== undefined) return;
    const time = this.#host.now();
    this.#names.push('done');
    this.#times.push(time);
    this.finishedAt = time;
    this.#host.retire(this);
  }
}
