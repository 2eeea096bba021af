/**
 * The janitor, a module of the active reporter: expunges metrics deleted through the API (their
 * waiting measures, their stored series, then their indexer row), a batch per run.
 */
import type { Chef } from '../../chef/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { ModuleStatus, ReporterModule } from '../reporter/reporter-module.ts';

/** Most metrics expunged in one run. */
const EXPUNGE_BATCH = 1_000;

/** Runs the chef's expunge and counts what it removed. */
export class Janitor implements ReporterModule {
  readonly name = 'janitor';
  readonly intervalMs: number;
  readonly #chef: Pick<Chef, 'expungeMetrics'>;
  readonly #logger: Pick<Logger, 'error'>;
  #expunged = 0;

  constructor(
    chef: Pick<Chef, 'expungeMetrics'>,
    logger: Pick<Logger, 'error'>,
    intervalMs = 30_000,
  ) {
    this.#chef = chef;
    this.#logger = logger;
    this.intervalMs = intervalMs;
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

  async tick(): Promise<void> {
    await this.runOnce();
  }

  status(): ModuleStatus {
    return { metrics_expunged: this.#expunged };
  }
}
