/**
 * metricd's reporter: every tick it lists the metrics with waiting measures, sizes blocks so that
 * every worker gets one (`blockSizeFor`), hands blocks to idle workers, and publishes the backlog
 * and each worker's figures. It also runs the janitor that expunges deleted metrics.
 *
 * Between ticks, a worker that finishes a block gets the next one at once; when the list runs dry
 * after useful work, the next scan is brought forward, so a steady backlog never waits for a tick.
 */
import type { Chef } from '../chef/index.ts';
import type { Logger } from '../log/logger.ts';
import type { MetricdConfig } from '../config/index.ts';
import type { MetricdStatus, StatusBoard } from '../coordination/index.ts';
import type { Incoming, Unsubscribe } from '../ingest/index.ts';
import type { OpTracker } from '../optracker/index.ts';
import { BacklogGauge } from './backlog-gauge.ts';
import { blockSizeFor } from './block-size.ts';
import { Janitor } from './janitor.ts';
import { reporterSummary } from './reporter-summary.ts';
import { listPendingBySack } from './pending-metrics.ts';
import type { WorkerPool } from './worker-pool.ts';

/** What a {@link Reporter} works with. */
export interface ReporterDeps {
  readonly incoming: Incoming;
  /** For the janitor. */
  readonly chef: Chef;
  /** The tracker of the reporter's own ops (the janitor's). */
  readonly tracker: OpTracker;
  readonly pool: WorkerPool;
  readonly board: StatusBoard;
  readonly config: MetricdConfig;
  readonly logger: Logger;
  /** `<host>.<pid>`. */
  readonly name: string;
  readonly host: string;
}

/** Soonest rescan after a block, so that a backlog of locked metrics cannot spin. */
const EARLY_SCAN_MS = 50;

/** The reporter loop. */
export class Reporter {
  readonly #deps: ReporterDeps;
  readonly #startedAt = new Date().toISOString();
  /** Metrics waiting to be handed out, oldest listing first. */
  #queue: string[] = [];
  #blockSize = 0;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: Unsubscribe | undefined;
  #stopped = false;

  readonly #janitor: Janitor;
  readonly #backlog: BacklogGauge;

  constructor(deps: ReporterDeps) {
    this.#deps = deps;
    this.#janitor = new Janitor(deps.chef, deps.logger);
    this.#backlog = new BacklogGauge(deps.incoming);
  }

  /** Starts ticking, the janitor, and the incoming notifications where the backend has them. */
  async start(): Promise<void> {
    const { config } = this.#deps;
    this.#timers.push(setInterval(() => void this.tick(), config.tickSeconds * 1000));
    this.#timers.push(setInterval(() => void this.runJanitor(), config.janitorSeconds * 1000));
    this.#unsubscribe = await this.#deps.incoming.subscribe(() => {
      this.requestScan();
    });
    void this.tick();
    void this.runJanitor();
  }

  /** Hands out blocks to idle workers from what the last scan found. */
  dispatch(): void {
    const { pool } = this.#deps;
    while (this.#queue.length > 0 && pool.idleCount() > 0) {
      const block = this.#queue.splice(0, Math.max(1, this.#blockSize));
      if (!pool.assign(block)) {
        this.#queue.unshift(...block);
        return;
      }
    }
  }

  /** Puts metrics back at the front of the queue (a drained or dead worker's block). */
  requeue(metricIds: readonly string[]): void {
    const queued = new Set(this.#queue);
    this.#queue.unshift(...metricIds.filter((id) => !queued.has(id)));
  }

  /** A block finished: keep workers busy, and scan early if the queue ran dry. */
  onWorkerIdle(): void {
    this.dispatch();
    if (this.#queue.length === 0) {
      const timer = setTimeout(() => {
        this.requestScan();
      }, EARLY_SCAN_MS);
      timer.unref();
    }
  }

  /** Scans now, or right after the scan in progress. */
  requestScan(): void {
    if (this.#stopped) return;
    if (this.#scanning !== undefined) {
      this.#rescan = true;
      return;
    }
    void this.tick();
  }

  /** One tick: scan, size, dispatch, publish. */
  async tick(): Promise<void> {
    if (this.#stopped) return;
    if (this.#scanning !== undefined) return this.#scanning;
    this.#scanning = this.#tick().finally(() => {
      this.#scanning = undefined;
      if (this.#rescan) {
        this.#rescan = false;
        this.requestScan();
      }
    });
    return this.#scanning;
  }

  /** Expunges metrics marked for deletion. */
  async runJanitor(): Promise<void> {
    if (this.#stopped) return;
    await this.#janitor.runOnce();
  }

  /** Stops ticking and drains the workers; publishes a last status. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#unsubscribe?.();
    await this.#scanning;
    await this.#deps.pool.stop();
    await this.#publish();
  }

  /** The document the reporter publishes. */
  status(): MetricdStatus {
    return {
      reporter: reporterSummary(this.#deps, {
        startedAt: this.#startedAt,
        blockSize: this.#blockSize,
        backlog: this.#backlog.current,
        metricsExpunged: this.#janitor.expunged,
      }),
      workers: this.#deps.pool.status(),
    };
  }

  async #tick(): Promise<void> {
    const { config, logger, pool } = this.#deps;
    try {
      pool.reapHung(config.workerTimeoutSeconds * 1000);
      const pending = await this.#listPending();
      const inFlight = pool.inFlight();
      this.#queue = pending.filter((id) => !inFlight.has(id));
      this.#blockSize = blockSizeFor(this.#queue.length, config.workers, {
        min: config.minBlockSize,
        max: config.maxBlockSize,
      });
      this.dispatch();
      await this.#backlog.update(pending.length);
      await this.#publish();
    } catch (error) {
      logger.error({ err: error }, 'reporter tick failed');
    }
  }

  async #listPending(): Promise<string[]> {
    return [...(await listPendingBySack(this.#deps.incoming)).values()].flat();
  }

  async #publish(): Promise<void> {
    try {
      await this.#deps.board.publish(this.status());
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'publishing the metricd status failed');
    }
  }
}
