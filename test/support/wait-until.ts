import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitUntilOptions {
  /** How long to wait before failing, in ms. */
  readonly timeoutMs?: number;
  /** The pause between checks, in ms. */
  readonly intervalMs?: number;
  /**
   * Whether a check that throws counts as "not yet" rather than failing the wait: a loaded server
   * may drop a poll (a kept-alive socket it closed) and be fine on the next one.
   */
  readonly retryFailed?: boolean;
  /** What to add to the error when time runs out, such as the tail of a server's output. */
  readonly context?: () => string;
}

/** Checks `check` until it holds, failing with `what` and the context once the timeout passes. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: WaitUntilOptions = {},
): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 500, retryFailed = false, context } = options;
  const deadline = Date.now() + timeoutMs;
  const attempt = retryFailed ? () => check().catch(() => false) : check;
  while (!(await attempt())) {
    if (Date.now() > deadline) {
      const seconds = String(timeoutMs / 1000);
      throw new Error(`${what} within ${seconds} s${context ? `; ${context()}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
