/**
 * The processing pipeline of DESIGN.md for one metric and for a block of metrics: take the
 * metric's lock (skip it when busy), read its waiting batches, fold them into its stored series,
 * delete exactly the batches read, release. Used by metricd's workers, by the API's `refresh`, and
 * by the janitor that expunges deleted metrics.
 *
 * Nothing accepted is lost: batches are deleted only after the storage update resolved, and a
 * crash before that leaves them to be read again, which recomputation from raw points makes
 * harmless. A lock lost while processing (fencing) abandons the metric before anything is deleted:
 * storage checks the lock right before its write (and, where storage and locks share a Redis
 * server, atomically with it), and the chef checks it again before deleting the batches read.
 */
import type { ArchivePolicy } from '../archive-policy/index.ts';
import { sortMeasures } from '../carbonara/index.ts';
import type { Indexer, Metric } from '../indexer/index.ts';
import type { BatchHandle, Incoming } from '../ingest/index.ts';
import { mapLimit } from '../async/map-limit.ts';
import type { MetricLock, MetricLocks } from '../lock/index.ts';
import { NOOP_OP, type OpTracker, type TrackedOp } from '../optracker/index.ts';
import { FencedWriteError, type Storage, type WriteFence } from '../storage/index.ts';
import type { Logger } from '../log/logger.ts';
import { DamageLog, type DamageRecord } from './damage-log.ts';
import { LockLostError } from './errors.ts';
import { addFigures, emptyFigures, type ProcessingFigures } from './processing-figures.ts';
import { figuresOf, type MetricOutcome } from './metric-outcome.ts';

/** What {@link Chef} works with. */
export interface ChefDeps {
  readonly indexer: Indexer;
  readonly incoming: Incoming;
  readonly storage: Storage;
  readonly locks: MetricLocks;
  readonly logger: Logger;
  /** Metrics of a block processed at once, so that their I/O overlaps (`metricd.metricConcurrency`). */
  readonly concurrency: number;
  /** Most batches of one metric read in one pass; the rest wait for the next. @defaultValue `10000` */
  readonly maxBatchesPerPass?: number;
  /** Follows each metric's processing as an op (`process_metric`, `refresh`, `expunge`). */
  readonly tracker?: OpTracker;
  /**
   * Hand each lock's `fence` key and token to storage, to check atomically with its writes. Only
   * when storage and locks live on the same Redis server and db: elsewhere the key is never
   * found and every write is refused. The composition root decides. @defaultValue `false`
   */
  readonly atomicFencing?: boolean;
}

/** Options of {@link Chef.processMetrics}. */
export interface ProcessMetricsOptions {
  /** Checked before each metric: once true, the rest of the block is left alone (draining). */
  readonly shouldStop?: () => boolean;
  /** Called after each metric with that metric's figures. */
  readonly onMetric?: (metricId: string, figures: Readonly<ProcessingFigures>) => void;
}

/** Throws {@link LockLostError} once a lock is lost: nothing more may be written under it. */
function assertHeld(lock: MetricLock): void {
  if (lock.lost) throw new LockLostError(lock.metricId);
}

/** Whether a processing failure is the loss of the metric's lock, seen by the chef or storage. */
function isLockLoss(error: unknown): boolean {
  return error instanceof LockLostError || error instanceof FencedWriteError;
}

/** The processing pipeline. */
export class Chef {
  readonly #deps: ChefDeps;
  readonly #concurrency: number;
  readonly #maxBatches: number;
  readonly #damage = new DamageLog();

  constructor(deps: ChefDeps) {
    this.#deps = deps;
    this.#concurrency = deps.concurrency;
    this.#maxBatches = deps.maxBatchesPerPass ?? 10_000;
  }

  /** The damaged stored objects met lately (see `damage-log.ts`), oldest first. */
  recentDamage(): readonly DamageRecord[] {
    return this.#damage.records();
  }

  /** Processes the waiting measures of a block of metrics; never throws for one metric's failure. */
  async processMetrics(
    metricIds: readonly string[],
    options: ProcessMetricsOptions = {},
  ): Promise<ProcessingFigures> {
    const total = emptyFigures();
    if (metricIds.length === 0) return total;
    const ordered = this.#inLockOrder(metricIds);
    // NOTE: every metric of the block is an op from the moment the block arrives.
    const ops = ordered.map((metricId) => this.#begin('process_metric', metricId, 'queued'));
    try {
      const metrics = new Map((await this.#deps.indexer.getMetrics(ordered)).map((m) => [m.id, m]));
      const policies = await this.#loadPolicies(metrics.values());
      // NOTE: one listing per sack of the block, where the backend's per-metric read would
      // otherwise list the metric's whole sack (see `Incoming.listPendingBatches`).
      const listed = await this.#deps.incoming.listPendingBatches(ordered);
      const attempt = async (index: number, last: boolean): Promise<boolean> => {
        const metricId = ordered[index] as string;
        const op = ops[index] ?? NOOP_OP;
        if (options.shouldStop?.() === true) {
          op.mark('left_for_later');
          op.finish();
          return true;
        }
        const lock = await this.#tryLock(metricId, op);
        if (lock.kind === 'locked' && !last) return false;
        const metric = metrics.get(metricId);
        const outcome =
          lock.kind === 'held'
            ? await this.#processLocked(
                metricId,
                metric && policies.get(metric.archivePolicyName),
                lock.lock,
                op,
                listed?.get(metricId),
              )
            : lock;
        op.finish();
        const figures = figuresOf(outcome);
        addFigures(total, figures);
        options.onMetric?.(metricId, figures);
        return true;
      };
      // NOTE: a metric found busy is tried once more after the rest of the block: another
      // worker holding its lock (or its stripe) has usually moved on by then, where skipping it
      // would leave its measures for a later block.
      const busy: number[] = [];
      await mapLimit(ordered, this.#concurrency, async (_metricId, index) => {
        if (!(await attempt(index, false))) busy.push(index);
      });
      await mapLimit(busy, this.#concurrency, (index) => attempt(index, true));
    } finally {
      for (const op of ops) op.finish();
    }
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
    const op = this.#begin('refresh', metricId, 'lock_wait');
    try {
      const lock = await this.#deps.locks.acquire(metricId, timeoutMs);
      if (lock === undefined) {
        op.mark('lock_timeout');
        return false;
      }
      op.mark('lock_acquired');
      const metric = await this.#deps.indexer.getMetric(metricId);
      const policies = await this.#loadPolicies(metric === undefined ? [] : [metric]);
      await this.#processLocked(
        metricId,
        metric && policies.get(metric.archivePolicyName),
        lock,
        op,
      );
      return true;
    } finally {
      op.finish();
    }
  }

  /**
   * Expunges up to `limit` metrics marked for deletion: their waiting measures, their stored
   * series, then their indexer row. A metric whose lock is busy waits for the next run.
   */
  async expungeMetrics(limit: number): Promise<number> {
    const doomed = await this.#deps.indexer.listMetricsToExpunge(limit);
    let expunged = 0;
    await mapLimit(doomed, this.#concurrency, async ({ id }) => {
      const op = this.#begin('expunge', id, 'queued');
      const lock = await this.#deps.locks.tryAcquire(id);
      if (lock === undefined) {
        op.mark('lock_busy');
        op.finish();
        return;
      }
      op.mark('lock_acquired');
      try {
        await this.#deps.incoming.discardPending(id);
        op.mark('incoming_deleted');
        assertHeld(lock);
        await this.#deps.storage.deleteMetric(id);
        op.mark('storage_deleted');
        assertHeld(lock);
        await this.#deps.indexer.expungeMetric(id);
        op.mark('indexer_deleted');
        expunged++;
      } catch (error) {
        op.mark(isLockLoss(error) ? 'lock_lost' : 'failed');
        this.#deps.logger.error({ err: error, metricId: id }, 'expunging a deleted metric failed');
      } finally {
        await this.#release(lock);
        op.finish();
      }
    });
    return expunged;
  }

  /**
   * Folds one metric's waiting measures in, under its lock, which it releases: those `listed`
   * before the lock was taken, where given, else all.
   */
  async #processLocked(
    metricId: string,
    policy: ArchivePolicy | undefined,
    lock: MetricLock,
    op: TrackedOp,
    listed?: readonly BatchHandle[],
  ): Promise<MetricOutcome> {
    try {
      return policy === undefined
        ? await this.#discard(metricId, op)
        : await this.#fold(metricId, policy, lock, op, listed);
    } catch (error) {
      const lockLost = isLockLoss(error);
      op.mark(lockLost ? 'lock_lost' : 'failed');
      this.#deps.logger.error(
        { err: error, metricId },
        lockLost
          ? 'lost a metric lock while processing; its measures wait'
          : 'processing a metric failed; its measures wait',
      );
      return { kind: 'failed' };
    } finally {
      await this.#release(lock);
    }
  }

  /** Drops the measures of a deleted (or never known) metric, as Gnocchi does. */
  async #discard(metricId: string, op: TrackedOp): Promise<MetricOutcome> {
    const discarded = await this.#deps.incoming.discardPending(metricId);
    op.mark('discarded');
    return { kind: 'discarded', batches: discarded };
  }

  /** Reads the waiting batches, folds them into storage, then deletes exactly those batches. */
  async #fold(
    metricId: string,
    policy: ArchivePolicy,
    lock: MetricLock,
    op: TrackedOp,
    listed: readonly BatchHandle[] | undefined,
  ): Promise<MetricOutcome> {
    const { incoming, storage, logger } = this.#deps;
    const pending = await incoming.readPending(metricId, {
      limit: this.#maxBatches,
      ...(listed === undefined ? {} : { listed }),
    });
    op.mark('incoming_read');
    if (pending.handles.length === 0) return { kind: 'nothing-waiting' };
    for (const { handle, error } of pending.corrupt) {
      logger.warn({ err: error, metricId, batch: handle }, 'dropping a corrupt incoming batch');
    }
    const { timestamps, values } = pending.measures;
    const result = await storage.foldMeasures({
      metricId,
      policy,
      measures: sortMeasures(timestamps, values),
      op,
      fence: this.#fenceOf(lock),
    });
    for (const { object, keptAs, detail } of result.damage) {
      logger.warn({ metricId, object, keptAs }, `damaged stored object kept aside: ${detail}`);
    }
    this.#damage.add(metricId, result.damage);
    assertHeld(lock);
    await incoming.deletePending(metricId, pending.handles);
    op.mark('incoming_deleted');
    return {
      kind: 'folded',
      batches: pending.handles.length,
      measures: timestamps.length,
      dropped: result.dropped,
      corrupt: pending.corrupt.length + result.corrupt.length,
    };
  }

  /** The storage fence of a held lock: checked before each write, atomically where possible. */
  #fenceOf(lock: MetricLock): WriteFence {
    const fence = {
      assertHeld: () => {
        assertHeld(lock);
      },
    };
    const atomic = this.#deps.atomicFencing === true && lock.fence !== undefined;
    return atomic ? { ...fence, ...lock.fence } : fence;
  }

  /** Takes a metric's lock if it is free; a busy or failed lock is the metric's outcome. */
  async #tryLock(
    metricId: string,
    op: TrackedOp,
  ): Promise<{ readonly kind: 'held'; readonly lock: MetricLock } | MetricOutcome> {
    try {
      const lock = await this.#deps.locks.tryAcquire(metricId);
      op.mark(lock === undefined ? 'lock_busy' : 'lock_acquired');
      return lock === undefined ? { kind: 'locked' } : { kind: 'held', lock };
    } catch (error) {
      op.mark('failed');
      this.#deps.logger.error({ err: error, metricId }, 'taking a metric lock failed');
      return { kind: 'failed' };
    }
  }

  /** A block in the order its locks are cheapest to take: stripe by stripe, where locks share. */
  #inLockOrder(metricIds: readonly string[]): readonly string[] {
    const stripeOf = this.#deps.locks.stripeOf?.bind(this.#deps.locks);
    if (stripeOf === undefined) return metricIds;
    const stripes = new Map(metricIds.map((id) => [id, stripeOf(id)]));
    return [...metricIds].sort((a, b) => (stripes.get(a) ?? 0) - (stripes.get(b) ?? 0));
  }

  #begin(kind: string, metricId: string, event: string): TrackedOp {
    const op = this.#deps.tracker?.begin(kind, `metric ${metricId}`) ?? NOOP_OP;
    op.mark(event);
    return op;
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
