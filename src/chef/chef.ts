/**
 * The processing pipeline of DESIGN.md for one metric and for a block of metrics: take the
 * metric's lock (skip it when busy), read its waiting batches, fold them into its stored series,
 * delete exactly the batches read, release. Used by metricd's workers, by the API's `refresh`, and
 * by the janitor that expunges deleted metrics.
 *
 * Nothing accepted is lost: batches are deleted only after the storage update resolved, and a
 * crash before that leaves them to be read again, which recomputation from raw points makes
 * harmless. A lock lost while processing (fencing) abandons the metric before anything is deleted.
 */
import type { ArchivePolicy } from '../archive-policy/index.ts';
import { sortMeasures } from '../carbonara/index.ts';
import type { Indexer, Metric } from '../indexer/index.ts';
import type { Incoming } from '../ingest/index.ts';
import { mapLimit } from '../async/map-limit.ts';
import type { MetricLock, MetricLocks } from '../lock/index.ts';
import type { Storage } from '../storage/index.ts';
import type { ChefLogger } from './chef-logger.ts';
import { addFigures, emptyFigures, type ProcessingFigures } from './processing-figures.ts';

/** What {@link Chef} works with. */
export interface ChefDeps {
  readonly indexer: Indexer;
  readonly incoming: Incoming;
  readonly storage: Storage;
  readonly locks: MetricLocks;
  readonly logger: ChefLogger;
  /** Metrics of a block processed at once, so that their I/O overlaps. @defaultValue `16` */
  readonly concurrency?: number;
  /** Most batches of one metric read in one pass; the rest wait for the next. @defaultValue `10000` */
  readonly maxBatchesPerPass?: number;
}

/** Options of {@link Chef.processMetrics}. */
export interface ProcessMetricsOptions {
  /** Checked before each metric: once true, the rest of the block is left alone (draining). */
  readonly shouldStop?: () => boolean;
  /** Called after each metric with that metric's figures. */
  readonly onMetric?: (metricId: string, figures: Readonly<ProcessingFigures>) => void;
}

/** Raised when a metric's lock was lost while processing it: nothing more may be written. */
export class LockLostError extends Error {
  constructor(metricId: string) {
    super(`lost the lock of metric ${metricId} while processing it`);
    this.name = 'LockLostError';
  }
}

/** The processing pipeline. */
export class Chef {
  readonly #deps: ChefDeps;
  readonly #concurrency: number;
  readonly #maxBatches: number;

  constructor(deps: ChefDeps) {
    this.#deps = deps;
    this.#concurrency = deps.concurrency ?? 16;
    this.#maxBatches = deps.maxBatchesPerPass ?? 10_000;
  }

  /** Processes the waiting measures of a block of metrics; never throws for one metric's failure. */
  async processMetrics(
    metricIds: readonly string[],
    options: ProcessMetricsOptions = {},
  ): Promise<ProcessingFigures> {
    const total = emptyFigures();
    if (metricIds.length === 0) return total;
    const metrics = new Map((await this.#deps.indexer.getMetrics(metricIds)).map((m) => [m.id, m]));
    const policies = await this.#loadPolicies(metrics.values());
    await mapLimit(metricIds, this.#concurrency, async (metricId) => {
      if (options.shouldStop?.() === true) return;
      const figures = emptyFigures();
      const lock = await this.#tryLock(metricId, figures);
      if (lock !== undefined) {
        const metric = metrics.get(metricId);
        await this.#processLocked(
          metricId,
          metric && policies.get(metric.archivePolicyName),
          lock,
          figures,
        );
      }
      addFigures(total, figures);
      options.onMetric?.(metricId, figures);
    });
    return total;
  }

  /**
   * Processes one metric now (the API's `refresh=true`), waiting up to `timeoutMs` for its lock;
   * resolves false when the lock was not obtained. A processing failure is logged and the caller
   * reads what is stored, as Gnocchi does.
   */
  async refreshMetric(metricId: string, timeoutMs: number): Promise<boolean> {
    const peek = await this.#deps.incoming.readPending(metricId, { limit: 1 });
    if (peek.handles.length === 0) return true;
    const lock = await this.#deps.locks.acquire(metricId, timeoutMs);
    if (lock === undefined) return false;
    const metric = await this.#deps.indexer.getMetric(metricId);
    const policies = await this.#loadPolicies(metric === undefined ? [] : [metric]);
    await this.#processLocked(
      metricId,
      metric && policies.get(metric.archivePolicyName),
      lock,
      emptyFigures(),
    );
    return true;
  }

  /**
   * Expunges up to `limit` metrics marked for deletion: their waiting measures, their stored
   * series, then their indexer row. A metric whose lock is busy waits for the next run.
   */
  async expungeMetrics(limit: number): Promise<number> {
    const doomed = await this.#deps.indexer.listMetricsToExpunge(limit);
    let expunged = 0;
    await mapLimit(doomed, this.#concurrency, async ({ id }) => {
      const lock = await this.#deps.locks.tryAcquire(id);
      if (lock === undefined) return;
      try {
        await this.#deps.incoming.discardPending(id);
        await this.#deps.storage.deleteMetric(id);
        if (lock.lost) throw new LockLostError(id);
        await this.#deps.indexer.expungeMetric(id);
        expunged++;
      } catch (error) {
        this.#deps.logger.error({ err: error, metricId: id }, 'expunging a deleted metric failed');
      } finally {
        await this.#release(lock);
      }
    });
    return expunged;
  }

  async #processLocked(
    metricId: string,
    policy: ArchivePolicy | undefined,
    lock: MetricLock,
    figures: ProcessingFigures,
  ): Promise<void> {
    const { incoming, storage, logger } = this.#deps;
    try {
      if (policy === undefined) {
        // NOTE: measures of a deleted (or never known) metric are dropped, as in Gnocchi.
        const discarded = await incoming.discardPending(metricId);
        if (discarded > 0) figures.metricsDiscarded++;
        return;
      }
      const pending = await incoming.readPending(metricId, { limit: this.#maxBatches });
      if (pending.handles.length === 0) return;
      for (const { handle, error } of pending.corrupt) {
        logger.warn({ err: error, metricId, batch: handle }, 'dropping a corrupt incoming batch');
      }
      const { timestamps, values } = pending.measures;
      const result = await storage.addMeasures({
        metricId,
        policy,
        measures: sortMeasures(timestamps, values),
      });
      if (lock.lost) throw new LockLostError(metricId);
      await incoming.deletePending(metricId, pending.handles);
      figures.metricsProcessed++;
      figures.batchesRead += pending.handles.length;
      figures.measuresRead += timestamps.length;
      figures.measuresDropped += result.dropped;
      figures.corrupt += pending.corrupt.length + result.corrupt.length;
    } catch (error) {
      figures.errors++;
      logger.error({ err: error, metricId }, 'processing a metric failed; its measures wait');
    } finally {
      await this.#release(lock);
    }
  }

  async #tryLock(metricId: string, figures: ProcessingFigures): Promise<MetricLock | undefined> {
    try {
      const lock = await this.#deps.locks.tryAcquire(metricId);
      if (lock === undefined) figures.metricsLocked++;
      return lock;
    } catch (error) {
      figures.errors++;
      this.#deps.logger.error({ err: error, metricId }, 'taking a metric lock failed');
      return undefined;
    }
  }

  async #release(lock: MetricLock): Promise<void> {
    try {
      await lock.release();
    } catch (error) {
      this.#deps.logger.warn({ err: error, metricId: lock.metricId }, 'releasing a lock failed');
    }
  }

  async #loadPolicies(metrics: Iterable<Metric>): Promise<Map<string, ArchivePolicy>> {
    const names = new Set([...metrics].map((metric) => metric.archivePolicyName));
    const policies = new Map<string, ArchivePolicy>();
    await Promise.all(
      [...names].map(async (name) => {
        const policy = await this.#deps.indexer.getArchivePolicy(name);
        if (policy !== undefined) policies.set(name, policy);
      }),
    );
    return policies;
  }
}
