/**
 * The backlog a reporter publishes. The metrics waiting come from each scan; batches and measures
 * need a listing per metric, so they are counted at most every few seconds, and read as zero as
 * soon as a scan finds nothing waiting.
 */
import type { BacklogStatus } from '../../coordination/index.ts';
import type { Incoming } from '../../ingest/index.ts';

/** Full backlog counts (batches and measures, one listing per metric) at most this often. */
const FULL_COUNT_EVERY_MS = 5_000;
const EMPTY: BacklogStatus = { metrics: 0, batches: 0, measures: 0 };

/** The backlog as last measured. */
export class BacklogGauge {
  readonly #incoming: Pick<Incoming, 'backlog'>;
  readonly #now: () => number;
  #backlog: BacklogStatus = EMPTY;
  #countedAt = -Infinity;

  constructor(incoming: Pick<Incoming, 'backlog'>, now: () => number = Date.now) {
    this.#incoming = incoming;
    this.#now = now;
  }

  get current(): BacklogStatus {
    return this.#backlog;
  }

  /**
   * Takes a scan's count of metrics waiting (none when it listed nothing); counts batches and
   * measures when they are due.
   */
  async update(pendingMetrics: number | undefined): Promise<void> {
    if (this.#now() - this.#countedAt >= FULL_COUNT_EVERY_MS) {
      this.#countedAt = this.#now();
      const { metrics, batches, measures } = await this.#incoming.backlog();
      this.#backlog = { metrics, batches, measures };
    } else if (pendingMetrics === undefined) {
      return;
    } else if (pendingMetrics === 0) {
      this.#backlog = EMPTY;
    } else {
      this.#backlog = { ...this.#backlog, metrics: pendingMetrics };
    }
  }
}
