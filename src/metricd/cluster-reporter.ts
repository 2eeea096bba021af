/**
 * metricd's reporter under Redis coordination. Every metricd runs one; the election (Ceph mgr
 * style) makes one of them active and the others standbys.
 *
 * Every reporter, active or not, supervises its own worker processes and reports them (with the
 * blocks they can run at once) to the report board each tick. The active one also scans the
 * backlog, sizes blocks so that every worker slot of every host gets one, adds them to the shared
 * queue, runs the janitor, and publishes the status of every host's workers with the reporter map.
 *
 * It remembers the blocks it queued until BullMQ reports them completed or failed (and checks
 * them against the queue every tick, in case an event was missed while Redis was away); metrics of
 * those blocks are left out of new ones. So a burst of sack notifications, gathered into one scan,
 * adds a metric to at most one block, and a metric is never in two blocks at once by this
 * reporter's doing. A new active reporter starts from the blocks already in the queue.
 *
 * A reporter acts as active only while its lease is valid (`ReporterElection.isActive`), and its
 * status writes are checked against its epoch in Redis, so a deposed one stops at once.
 */
import type {
  MetricdStatus,
  QueueStatus,
  ReceivedReport,
  ReportBoard,
  ReporterElection,
  ReporterMap,
} from '../coordination/index.ts';
import type { Unsubscribe } from '../ingest/index.ts';
import { BacklogGauge } from './backlog-gauge.ts';
import { blockJobId, splitIntoBlocks } from './block-job.ts';
import { blockSizeFor } from './block-size.ts';
import { Janitor } from './janitor.ts';
import { reporterSummary } from './reporter-summary.ts';
import type { BlockQueue } from './block-queue.ts';
import { listPendingBySack } from './pending-metrics.ts';
import type { ReporterDeps } from './reporter.ts';

/** What a {@link ClusterReporter} works with: a reporter's, plus the Redis coordination parts. */
export interface ClusterReporterDeps extends ReporterDeps {
  readonly election: ReporterElection;
  readonly queue: BlockQueue;
  readonly reports: ReportBoard;
}

/** Delay that gathers a burst of sack notifications, or of finished blocks, into one scan. */
const GATHER_MS = 50;

/** The reporter of one metricd under Redis coordination. */
export class ClusterReporter {
  readonly #deps: ClusterReporterDeps;
  readonly #startedAt = new Date().toISOString();
  #blockSize = 0;
  /** Worker slots of every host, as last reported. */
  #slots = 1;
  #events = { stalled: 0, completed: 0, failed: 0 };
  /** Blocks this reporter queued (or found queued) and not yet finished: job id → metrics. */
  readonly #queued = new Map<string, readonly string[]>();
  #nextBlock = 0;
  /** Set on taking over: the queue's blocks are read back before the first scan. */
  #restoreQueued = false;
  #gatherTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #wanted: 'tick' | 'scan' | undefined;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: Unsubscribe | undefined;
  #stopped = false;

  readonly #janitor: Janitor;
  readonly #backlog: BacklogGauge;

  constructor(deps: ClusterReporterDeps) {
    this.#deps = deps;
    this.#janitor = new Janitor(deps.chef, deps.logger);
    this.#backlog = new BacklogGauge(deps.incoming);
  }

  /** Joins the election, then ticks; listens to the queue's events and the sack notifications. */
  async start(): Promise<void> {
    const { config, queue, incoming, election } = this.#deps;
    this.#slots = this.#localSlots();
    await election.start();
    queue.onEvent((event, jobId) => {
      if (event !== 'stalled') this.#queued.delete(jobId);
      if (!election.isActive()) return;
      this.#events[event]++;
      // NOTE: a finished block frees a worker slot: hand out what waits without waiting a tick.
      if (event !== 'stalled') this.#schedule();
    });
    this.#unsubscribe = await incoming.subscribe(() => {
      this.#schedule();
    });
    this.#timers.push(setInterval(() => void this.tick(), config.tickSeconds * 1000));
    this.#timers.push(setInterval(() => void this.runJanitor(), config.janitorSeconds * 1000));
    void this.tick();
  }

  /** The election changed this reporter's role. */
  onRoleChange(): void {
    // NOTE: queue event counts describe the current active reporter's time in office.
    this.#events = { stalled: 0, completed: 0, failed: 0 };
    this.#queued.clear();
    this.#nextBlock = 0;
    this.#restoreQueued = true;
    if (this.#deps.election.isActive()) void this.tick();
  }

  /** One tick: report this metricd; when active, scan, hand out blocks and publish the status. */
  async tick(): Promise<void> {
    await this.#serialize('tick');
  }

  /** Expunges metrics marked for deletion (active reporter only). */
  async runJanitor(): Promise<void> {
    if (this.#stopped || !this.#deps.election.isActive()) return;
    await this.#janitor.runOnce();
  }

  /**
   * Steps down first (so that a standby takes over at its next beacon), then drains the workers
   * and withdraws this metricd's report.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    clearTimeout(this.#gatherTimer);
    await this.#unsubscribe?.();
    await this.#running;
    await this.#deps.election.stop();
    await this.#deps.pool.stop();
    try {
      await this.#deps.reports.remove(this.#deps.name);
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'withdrawing the metricd report failed');
    }
  }

  /**
   * Runs a tick or a scan after the one in progress; requests made meanwhile are folded into one,
   * a tick winning over a scan, so that reports and the status keep flowing under load.
   */
  async #serialize(kind: 'tick' | 'scan'): Promise<void> {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      if (kind === 'tick' || this.#wanted === undefined) this.#wanted = kind;
      return this.#running;
    }
    this.#running = (kind === 'tick' ? this.#tick() : this.#scan()).finally(() => {
      this.#running = undefined;
      const next = this.#wanted;
      this.#wanted = undefined;
      if (next !== undefined) void this.#serialize(next);
    });
    return this.#running;
  }

  /** A scan soon, gathering the requests of the next few milliseconds into one. */
  #schedule(): void {
    if (this.#stopped || !this.#deps.election.isActive()) return;
    if (this.#gatherTimer !== undefined) return;
    this.#gatherTimer = setTimeout(() => {
      this.#gatherTimer = undefined;
      void this.#serialize('scan');
    }, GATHER_MS);
    this.#gatherTimer.unref();
  }

  async #tick(): Promise<void> {
    const { config, pool, election, logger } = this.#deps;
    pool.reapHung(config.workerTimeoutSeconds * 1000);
    await this.#report();
    if (!election.isActive()) return;
    try {
      const reports = await this.#deps.reports.read(this.#reportMaxAgeMs());
      await this.#scan(reports);
      await this.#publish(reports);
    } catch (error) {
      logger.error({ err: error }, 'reporter tick failed');
    }
  }

  /**
   * Lists the waiting metrics, leaves out those of queued blocks, and adds the rest as blocks
   * sized for the worker slots of every host (`reports`; without them the last count is kept).
   */
  async #scan(reports?: readonly ReceivedReport[]): Promise<void> {
    const { incoming, queue, election, config, logger } = this.#deps;
    if (!election.isActive()) return;
    try {
      await this.#syncQueued(reports !== undefined);
      const held = new Set([...this.#queued.values()].flat());
      const pending = [...(await listPendingBySack(incoming)).values()].flat();
      const free = pending.filter((metricId) => !held.has(metricId));
      if (reports !== undefined) this.#slots = totalSlots(reports) || this.#localSlots();
      this.#blockSize = blockSizeFor(free.length, this.#slots, {
        min: config.minBlockSize,
        max: config.maxBlockSize,
      });
      // NOTE: the lease is checked again right before handing out, after the listing's wait.
      if (!election.isActive() || free.length === 0) return;
      const epoch = election.epoch;
      const blocks = splitIntoBlocks(free, this.#blockSize).map((metricIds) => ({
        jobId: blockJobId(epoch, this.#nextBlock++),
        metricIds,
      }));
      for (const { jobId, metricIds } of blocks) this.#queued.set(jobId, metricIds);
      await queue.add(blocks, epoch);
      await this.#backlog.update(pending.length);
    } catch (error) {
      logger.error({ err: error }, 'handing out blocks failed');
    }
  }

  /**
   * After a takeover, reads back the blocks already queued; on ticks (`check`), forgets the blocks
   * that are no longer in the queue (their completion event was missed, e.g. while Redis was away).
   */
  async #syncQueued(check: boolean): Promise<void> {
    const { queue } = this.#deps;
    if (this.#restoreQueued) {
      this.#restoreQueued = false;
      for (const [jobId, metricIds] of await queue.queuedBlocks()) {
        this.#queued.set(jobId, metricIds);
      }
      return;
    }
    if (!check) return;
    const still = await queue.stillQueued(this.#queued.keys());
    for (const jobId of [...this.#queued.keys()]) {
      if (!still.has(jobId)) this.#queued.delete(jobId);
    }
  }

  async #report(): Promise<void> {
    const { reports, pool, name, host, logger } = this.#deps;
    try {
      await reports.report({
        name,
        host,
        pid: process.pid,
        slots: this.#localSlots(),
        workers: pool.status(),
      });
    } catch (error) {
      logger.warn({ err: error }, 'reporting to the active reporter failed');
    }
  }

  async #publish(reports: readonly ReceivedReport[]): Promise<void> {
    const { board, queue, election, logger } = this.#deps;
    const [counts, reporters] = await Promise.all([queue.counts(), election.map()]);
    const queueStatus: QueueStatus = { ...counts, ...this.#events };
    const published = await board.publish({
      ...this.#status(reports, reporters),
      reporters,
      queue: queueStatus,
    });
    if (!published) {
      logger.warn({ epoch: election.epoch }, 'status not published: no longer the active reporter');
    }
  }

  #status(reports: readonly ReceivedReport[], reporters: ReporterMap): MetricdStatus {
    // NOTE: a metricd whose reporter stopped beaconing (killed) is gone with its workers, even
    // though its last report is still fresh enough to be read.
    const beaconing = new Set(
      [reporters.active, ...reporters.standbys].flatMap((reporter) =>
        reporter === null ? [] : [reporter.name],
      ),
    );
    return {
      reporter: reporterSummary(this.#deps, {
        startedAt: this.#startedAt,
        blockSize: this.#blockSize,
        backlog: this.#backlog.current,
        metricsExpunged: this.#janitor.expunged,
      }),
      workers: reports.flatMap((report) =>
        beaconing.has(report.name)
          ? report.workers
          : report.workers.map((worker) => ({ ...worker, alive: false })),
      ),
    };
  }

  #localSlots(): number {
    return this.#deps.config.workers * this.#deps.config.jobConcurrency;
  }

  /** Reports older than this come from a metricd that is gone. */
  #reportMaxAgeMs(): number {
    const { config } = this.#deps;
    return Math.max(10_000, config.tickSeconds * 5_000, config.reporterGraceSeconds * 2_000);
  }
}

function totalSlots(reports: readonly ReceivedReport[]): number {
  return reports.reduce((total, report) => total + report.slots, 0);
}
