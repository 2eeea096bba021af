/** A tracker on a fake clock with a logger that records, for the op tracker tests. */
import { resolveConfig, type OpsConfig } from '../../src/config/index.ts';
import type { Logger } from '../../src/log/logger.ts';
import { OpTracker } from '../../src/optracker/index.ts';

/** 2024-05-01T12:00:00.000Z, so that dumped times are easy to read. */
export const T0 = Date.UTC(2024, 4, 1, 12);

/** A clock that moves only when told to. */
export class FakeClock {
  ms = T0;
  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }

  /** Moves to `ms` after {@link T0}. */
  at(ms: number): void {
    this.ms = T0 + ms;
  }
}

export interface LoggedWarning {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** Keeps every warning. */
export class RecordingLogger implements Pick<Logger, 'warn'> {
  readonly warnings: LoggedWarning[] = [];

  warn(fields: object, message: string): void {
    this.warnings.push({ fields: fields as Record<string, unknown>, message });
  }
}

/** A tracker with the default config but `ops`, validated as the engine would. */
export function makeTracker(ops: Partial<OpsConfig> = {}): {
  tracker: OpTracker;
  clock: FakeClock;
  logger: RecordingLogger;
} {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const config = resolveConfig([{ ops }]).ops;
  return { tracker: new OpTracker({ config, logger, now: clock.now }), clock, logger };
}
