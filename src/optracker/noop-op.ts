import type { OpEvent, TrackedOp } from './tracked-op.ts';

const NO_EVENTS: readonly OpEvent[] = Object.freeze([]);

class NoopOp implements TrackedOp {
  readonly id = 0;
  readonly kind = '';
  readonly description = '';
  readonly initiatedAt = 0;
  readonly events = NO_EVENTS;
  readonly finishedAt = undefined;

  get nowarn(): boolean {
    return true;
  }

  set nowarn(_value: boolean) {
    // NOTE: the op is shared by every caller while tracking is off, so it must stay unchanged.
  }

  mark(_event: string): void {
    // NOTE: nothing is tracked while tracking is off.
  }

  finish(): void {
    // NOTE: nothing is tracked while tracking is off.
  }
}

/** The one op handed out while tracking is off: it records nothing and costs nothing. */
export const NOOP_OP: TrackedOp = Object.freeze(new NoopOp());
