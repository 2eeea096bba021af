/**
 * The samples an agent holds until a poller says they are stored: gpperfmon's agent cleared its
 * state on every dump, so a poller that died before storing lost them; here a sample leaves only
 * when acknowledged, and a dump that is never acknowledged is simply sent again.
 *
 * Bounded by count and by bytes (of its JSON form); when full, the oldest samples are dropped
 * and counted, so that a poller down for long costs memory only up to the bound.
 */
import type { HostFigure } from './proc-files.ts';

/** A sample as queued and as dumped. */
export interface QueuedSample {
  /** Increasing from 1 for the life of the agent process. */
  readonly seq: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly figures: readonly HostFigure[];
}

/** The bounded queue of one agent. */
export class SampleQueue {
  readonly #maxSamples: number;
  readonly #maxBytes: number;
  readonly #samples: { sample: QueuedSample; bytes: number }[] = [];
  #bytes = 0;
  #nextSeq = 1;
  #dropped = 0;

  constructor(options: { readonly maxSamples: number; readonly maxBytes: number }) {
    this.#maxSamples = options.maxSamples;
    this.#maxBytes = options.maxBytes;
  }

  /** Samples dropped because the queue was full, since the agent started. */
  get dropped(): number {
    return this.#dropped;
  }

  get length(): number {
    return this.#samples.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Queues a sample; returns its sequence number. */
  push(time: number, figures: readonly HostFigure[]): number {
    const sample = { seq: this.#nextSeq++, time, figures };
    const bytes = JSON.stringify(sample).length;
    this.#samples.push({ sample, bytes });
    this.#bytes += bytes;
    while (
      this.#samples.length > this.#maxSamples ||
      (this.#bytes > this.#maxBytes && this.#samples.length > 1)
    ) {
      const oldest = this.#samples.shift();
      if (oldest === undefined) break;
      this.#bytes -= oldest.bytes;
      this.#dropped++;
    }
    return sample.seq;
  }

  /** The oldest `max` samples not yet acknowledged, oldest first. */
  pending(max: number): QueuedSample[] {
    return this.#samples.slice(0, max).map(({ sample }) => sample);
  }

  /** Forgets every sample up to `seq`; returns how many left. */
  acknowledge(seq: number): number {
    let count = 0;
    while (this.#samples.length > 0 && (this.#samples[0]?.sample.seq ?? Infinity) <= seq) {
      const first = this.#samples.shift();
      if (first !== undefined) this.#bytes -= first.bytes;
      count++;
    }
    return count;
  }
}
