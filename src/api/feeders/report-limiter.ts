/**
 * Logs of malformed input, at most `limit` per `windowMs`, so that a flood of bad datagrams
 * cannot flood the log; what was held back is counted in the next line logged.
 */
import type { Logger } from '../../log/logger.ts';

/** A limiter of one listener's warnings. */
export class ReportLimiter {
  readonly #logger: Logger;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = -Infinity;
  #inWindow = 0;
  #suppressed = 0;

  constructor(
    logger: Logger,
    options: { limit?: number; windowMs?: number; now?: () => number } = {},
  ) {
    this.#logger = logger;
    this.#limit = options.limit ?? 10;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Logs a warning, or counts it when the window's share is spent. */
  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    if (this.#inWindow >= this.#limit) {
      this.#suppressed++;
      return;
    }
    this.#inWindow++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
  }
}
