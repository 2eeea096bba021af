/**
 * The janitor: expunges metrics deleted through the API (their waiting measures, their stored
 * series, then their indexer row), a batch per run. Both reporters run it on a timer; under Redis
 * coordination only the active one does.
 */
import type { Chef } from '../chef/index.ts';
import type { Logger } from '../log/logger.ts';

/** Most metrics expunged in one run. */
const EXPUNGE_BATCH = 1_000;

/** Runs the chef's expunge and counts what it removed. */
export class Janitor {
  readonly #chef: Pick<Chef, 'expungeMetrics'>;
  readonly #logger: Logger;
  #expunged = 0;

  constructor(chef: Pick<Chef, 'expungeMetrics'>, logger: Logger) {
    this.#chef = chef;
    this.#logger = logger;
  }

  /** Metrics expunged since start. */
  get expunged(): number {
    return this.#expunged;
  }

  /** One run; a failure is logged, and the next run tries again. */
  async runOnce(): Promise<number> {
    try {
      const expunged = await this.#chef.expungeMetrics(EXPUNGE_BATCH);
      this.#expunged += expunged;
      return expunged;
    } catch (error) {
      this.#logger.error({ err: error }, 'janitor run failed');
      return 0;
    }
  }
}
