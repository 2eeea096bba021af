/**
 * Block dispatch under Redis coordination. Every metricd's reporter reports its workers and the
 * blocks they can run at once to the report board each tick, active or not; the active reporter
 * also scans the backlog, sizes blocks so that every worker slot of every host gets one, adds
 * them to the shared BullMQ queue, and publishes the status of every host's workers with the
 * reporter map and the queue's counts.
 *
 * It remembers the blocks it queued until BullMQ reports them completed or failed (and checks
 * them against the queue every tick, in case an event was missed while Redis was away); metrics of
 * those blocks are left out of new ones. So a burst of sack notifications, gathered into one scan,
 * adds a metric to at most one block, and a metric is never in two blocks at once by this
 * reporter's doing. A new active reporter starts from the blocks already in the queue.
 */
import type { MetricdConfig } from '../../config/index.ts';
import type {
  MetricdStatus,
  QueueStatus,
  ReceivedReport,
  ReportBoard,
  ReporterElection,
  ReporterMap,
} from '../../coordination/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type {
  BlockDispatcher,
  DispatcherHooks,
  DispatcherStatus,
  ScanResult,
  ScanTrigger,
} from '../reporter/block-dispatcher.ts';
import { blockSizeFor } from '../reporter/block-size.ts';
import { listPendingBySack } from '../reporter/pending-metrics.ts';
import type { DispatchMessage } from '../supervision/worker-messages.ts';
import type {
  SupervisorListener,
  WorkerDispatchView,
  WorkerSupervisor,
} from '../supervision/worker-supervisor.ts';
import { blockJobId, splitIntoBlocks } from './block-job.ts';
import type { BlockQueue } from './block-queue.ts';

/** What a {@link ClusterDispatcher} works with. */
export interface ClusterDispatcherDeps {
  readonly supervisor: Pick<WorkerSupervisor, 'size' | 'start' | 'status'>;
  readonly incoming: Pick<Incoming, 'sackCount' | 'listMetrics'>;
  readonly queue: Pick<BlockQueue, 'add' | 'stillQueued' | 'queuedBlocks' | 'counts' | 'onEvent'>;
  readonly reports: Pick<ReportBoard, 'report' | 'read' | 'remove'>;
  readonly election: Pick<ReporterElection, 'isActive' | 'epoch' | 'map'>;
  readonly config: Pick<
    MetricdConfig,
    | 'workers'
    | 'jobConcurrency'
    | 'minBlockSize'
    | 'maxBlockSize'
    | 'tickSeconds'
    | 'reporterGraceSeconds'
  >;
  /** `<host>.<pid>`. */
  readonly name: string;
  readonly host: string;
  readonly pid?: number;
}

interface WorkerBlocks {
  /** Blocks from the shared queue in hand, by job id, with their sizes. */
  readonly inHand: Map<string, number>;
  done: number;
  rerun: number;
}

/** The reporter's side of the shared block queue. */
export class ClusterDispatcher implements BlockDispatcher, SupervisorListener {
  readonly #deps: ClusterDispatcherDeps;
  #blockSize = 0;
  /** Worker slots of every host, as last reported. */
  #slots: number;
  #events = { stalled: 0, completed: 0, failed: 0 };
  /** Blocks this reporter queued (or found queued) and not yet finished: job id → metrics. */
  readonly #queued = new Map<string, readonly string[]>();
  #nextBlock = 0;
  /** Set on a change of role: the queue's blocks are read back before the next scan. */
  #restoreQueued = true;
  /** Every host's reports, as read on the last tick. */
  #reports: readonly ReceivedReport[] = [];
  readonly #workers: WorkerBlocks[];

  constructor(deps: ClusterDispatcherDeps) {
    this.#deps = deps;
    this.#slots = this.#localSlots();
    this.#workers = Array.from({ length: deps.supervisor.size }, () => ({
      inHand: new Map(),
      done: 0,
      rerun: 0,
    }));
  }

  /** Starts the workers, and follows the queue's events. */
  start(hooks: DispatcherHooks): Promise<void> {
    const { queue, election, supervisor } = this.#deps;
    supervisor.start(this);
    queue.onEvent((event, jobId) => {
      if (event !== 'stalled') this.#queued.delete(jobId);
      if (!election.isActive()) return;
      this.#events[event]++;
      // NOTE: a finished block frees a worker slot: hand out what waits without waiting a tick.
      if (event !== 'stalled') hooks.requestScan();
    });
    return Promise.resolve();
  }

  /** Reports this metricd's workers and slots, whatever its role. */
  async beforeTick(): Promise<void> {
    const { reports, supervisor, name, host, pid } = this.#deps;
    await reports.report({
      name,
      host,
      pid: pid ?? process.pid,
      slots: this.#localSlots(),
      workers: supervisor.status((index) => this.#view(index)),
    });
  }

  /**
   * Lists the waiting metrics, leaves out those of queued blocks, and adds the rest as blocks
   * sized for the worker slots of every host; a tick first reads every host's reports.
   */
  async scan(trigger: ScanTrigger): Promise<ScanResult> {
    const { incoming, queue, election, config, reports } = this.#deps;
    if (trigger === 'tick') {
      this.#reports = await reports.read(this.#reportMaxAgeMs());
      this.#slots = totalSlots(this.#reports) || this.#localSlots();
    }
    await this.#syncQueued(trigger === 'tick');
    const held = new Set([...this.#queued.values()].flat());
    const pending = [...(await listPendingBySack(incoming)).values()].flat();
    const free = pending.filter((metricId) => !held.has(metricId));
    this.#blockSize = blockSizeFor(free.length, this.#slots, {
      min: config.minBlockSize,
      max: config.maxBlockSize,
    });
    const result = { pendingMetrics: pending.length, blockSize: this.#blockSize };
    // NOTE: the lease is checked again right before handing out, after the listing's wait.
    if (!election.isActive() || free.length === 0) return result;
    const epoch = election.epoch;
    const blocks = splitIntoBlocks(free, this.#blockSize).map((metricIds) => ({
      jobId: blockJobId(epoch, this.#nextBlock++),
      metricIds,
    }));
    for (const { jobId, metricIds } of blocks) this.#queued.set(jobId, metricIds);
    await queue.add(blocks, epoch);
    return result;
  }

  onRoleChange(): void {
    // NOTE: queue event counts describe the current active reporter's time in office.
    this.#events = { stalled: 0, completed: 0, failed: 0 };
    this.#queued.clear();
    this.#nextBlock = 0;
    this.#restoreQueued = true;
  }

  onReady(): void {
    // NOTE: a ready worker takes blocks from the queue by itself.
  }

  onDispatchMessage(index: number, message: DispatchMessage): void {
    const worker = this.#workers[index];
    if (worker === undefined) return;
    if (message.type === 'block-started') worker.inHand.set(message.jobId, message.metrics);
    if (message.type === 'block-finished') {
      worker.inHand.delete(message.jobId);
      worker.done++;
      if (message.rerun) worker.rerun++;
    }
  }

  onExit(index: number): number {
    // NOTE: BullMQ puts the dead worker's blocks back once their locks run out.
    const worker = this.#workers[index];
    const held = sum(worker?.inHand.values() ?? []);
    worker?.inHand.clear();
    return held;
  }

  /** Every host's workers (those of a metricd that stopped beaconing shown dead), the map, the queue. */
  async status(): Promise<DispatcherStatus> {
    const { queue, election } = this.#deps;
    const [counts, reporters] = await Promise.all([queue.counts(), election.map()]);
    const queueStatus: QueueStatus = { ...counts, ...this.#events };
    return { workers: this.#workersOf(reporters), reporters, queue: queueStatus };
  }

  /** Withdraws this metricd's report. */
  async stop(): Promise<void> {
    await this.#deps.reports.remove(this.#deps.name);
  }

  #workersOf(reporters: ReporterMap): MetricdStatus['workers'] {
    // NOTE: a metricd whose reporter stopped beaconing (killed) is gone with its workers, even
    // though its last report is still fresh enough to be read.
    const beaconing = new Set(
      [reporters.active, ...reporters.standbys].flatMap((reporter) =>
        reporter === null ? [] : [reporter.name],
      ),
    );
    return this.#reports.flatMap((report) =>
      beaconing.has(report.name)
        ? report.workers
        : report.workers.map((worker) => ({ ...worker, alive: false })),
    );
  }

  /**
   * After a change of role, reads back the blocks already queued; on ticks (`check`), forgets the
   * blocks that are no longer in the queue (their completion event was missed).
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

  #view(index: number): WorkerDispatchView {
    const worker = this.#workers[index];
    return {
      currentBlock: sum(worker?.inHand.values() ?? []),
      blocksDone: worker?.done ?? 0,
      blocksRerun: worker?.rerun ?? 0,
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

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
