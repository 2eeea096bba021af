import type { OpEvent, TrackedOp } from './tracked-op.ts';

/** What a {@link LiveOp} needs from its tracker. */
export interface OpHost {
  readonly now: () => number;
  /** Takes a just-finished op out of flight. */
  retire(op: LiveOp): void;
}

/** A tracked op as the tracker holds it, with the tracker's own bookkeeping. */
export class LiveOp implements TrackedOp {
  readonly id: number;
  readonly kind: string;
  readonly description: string;
  readonly initiatedAt: number;
  readonly events: OpEvent[];
  finishedAt: number | undefined = undefined;
  nowarn: boolean;
  /** The next slow-op warning is due at an age of complaint time × this; it doubles each time. */
  warnMultiplier = 1;
  readonly #host: OpHost;

  constructor(host: OpHost, id: number, kind: string, description: string) {
    this.#host = host;
    this.id = id;
    this.kind = kind;
    this.description = description;
    this.initiatedAt = host.now();
    this.events = [{ time: this.initiatedAt, name: 'initiated' }];
    this.nowarn = false;
  }

  mark(event: string): void {
    if (this.finishedAt !== undefined) return;
    this.events.push({ time: this.#host.now(), name: event });
  }

  finish(): void {
    if (this.finishedAt !== undefined) return;
    const time = this.#host.now();
    this.events.push({ time, name: 'done' });
    this.finishedAt = time;
    this.#host.retire(this);
  }
}
