/**
 * Per-second rates of a host's counters (figures named `…_total`), computed by the poller from
 * consecutive samples, so that a chart of network bytes or CPU seconds need not be derived at
 * every read. A counter that went down was reset (the agent's host rebooted, a device came back)
 * and counted again from zero; one that went down from near 2^32 or 2^64 wrapped. The first
 * sample of a counter the poller sees has no rate.
 */

/** One reading of a counter. */
export interface CounterReading {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly value: number;
}

const WRAPS = [2 ** 32, 2 ** 64];

/** The rate per second from `previous` to `next`; undefined when time did not advance. */
export function counterRate(previous: CounterReading, next: CounterReading): number | undefined {
  const seconds = (next.time - previous.time) / 1000;
  if (!(seconds > 0)) return undefined;
  if (next.value >= previous.value) return (next.value - previous.value) / seconds;
  // NOTE: a wrap leaves the counter near zero from near the top of its range; anything else
  // that goes down is a reset, counted from zero.
  const wrap = WRAPS.find((top) => previous.value < top && previous.value > top * 0.75);
  if (wrap !== undefined && next.value < wrap * 0.25) {
    return (wrap - previous.value + next.value) / seconds;
  }
  return next.value / seconds;
}

/** Whether a figure is a counter, by node_exporter's naming. */
export function isCounter(name: string): boolean {
  return name.endsWith('_total');
}

/**
 * The last reading of every counter of every host, and the rates that follow from them. Readings
 * taken by `rate` are held apart until `commit`, so that samples whose store failed, and which
 * the agent sends again, get their rates the second time.
 */
export class CounterRates {
  /** By host, then by metric. */
  readonly #last = new Map<string, Map<string, CounterReading>>();
  readonly #pending = new Map<string, Map<string, CounterReading>>();

  /** The rate of `metric` at `next`, from its last reading. */
  rate(host: string, metric: string, next: CounterReading): number | undefined {
    let pending = this.#pending.get(host);
    const previous = pending?.get(metric) ?? this.#last.get(host)?.get(metric);
    if (previous !== undefined && next.time <= previous.time) return undefined;
    if (pending === undefined) {
      pending = new Map();
      this.#pending.set(host, pending);
    }
    pending.set(metric, next);
    return previous === undefined ? undefined : counterRate(previous, next);
  }

  /** The readings of `host` since the last commit are stored: rates go on from them. */
  commit(host: string): void {
    const pending = this.#pending.get(host);
    if (pending === undefined) return;
    this.#pending.delete(host);
    const last = this.#last.get(host);
    if (last === undefined) this.#last.set(host, pending);
    else for (const [metric, reading] of pending) last.set(metric, reading);
  }

  /** The readings of `host` since the last commit were not stored: forget them. */
  discard(host: string): void {
    this.#pending.delete(host);
  }

  /** Forgets a host that left the list. */
  forget(host: string): void {
    this.#pending.delete(host);
    this.#last.delete(host);
  }
}
