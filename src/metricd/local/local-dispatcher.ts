/**
 * Block dispatch on one machine (`local` coordination): the reporter lists the waiting metrics,
 * sizes blocks so that every worker gets one, and hands them to its idle workers over IPC.
 *
 * A worker that finishes a block gets the next one at once, and when the list runs dry after
 * useful work a scan is requested, so a steady backlog never waits for a tick; a scan while
 * every worker is busy and the list is not dry lists nothing. The untouched metrics of a
 * drained or dead worker's block go back to the front of the list. Where locks are shared by
 * stripe, a worker's blocks hold the metrics of its own stripes while there are any.
 */
import type { MetricdConfig } from '../../config/index.ts';
import type { Incoming } from '../../ingest/index.ts';
import type { MetricLocks } from '../../lock/index.ts';
import type {
  BlockDispatcher,
  DispatcherHooks,
  DispatcherStatus,
  ScanResult,
} from '../reporter/block-dispatcher.ts';
import { blockSizeFor } from '../reporter/block-size.ts';
import { listPendingBySack } from '../reporter/pending-metrics.ts';
import type { DispatchMessage } from '../supervision/worker-messages.ts';
import type {
  SupervisorListener,
  WorkerDispatchView,
  WorkerSupervisor,
} from '../supervision/worker-supervisor.ts';

/** What a {@link LocalDispatcher} works with. */
export interface LocalDispatcherDeps {
  readonly supervisor: Pick<WorkerSupervisor, 'size' | 'isReady' | 'send' | 'start' | 'status'>;
  readonly incoming: Pick<Incoming, 'sackCount' | 'listMetrics'>;
  readonly config: Pick<MetricdConfig, 'minBlockSize' | 'maxBlockSize'>;
  /**
   * The workers' lock service. Where it shares locks by stripe (lock folders), each worker gets
   * the metrics of its own stripes while any is left: blocks cut from the front of the list all
   * spanned every stripe, and two workers walking theirs stripe by stripe at once each found the
   * stripes the other held taken, skipping their metrics until a later block.
   */
  readonly locks?: Pick<MetricLocks, 'stripeOf'>;
}

interface Held {
  readonly id: number;
  readonly metricIds: readonly string[];
}

/** Hands blocks to this metricd's own workers. */
export class LocalDispatcher implements BlockDispatcher, SupervisorListener {
  readonly #deps: LocalDispatcherDeps;
  /** Metrics waiting to be handed out, oldest listing first. */
  #queue: string[] = [];
  #blockSize = 0;
  readonly #held = new Map<number, Held>();
  readonly #blocksDone: number[];
  #nextBlockId = 1;
  #hooks: DispatcherHooks | undefined;
  #stopped = false;

  constructor(deps: LocalDispatcherDeps) {
    this.#deps = deps;
    this.#blocksDone = Array.from({ length: deps.supervisor.size }, () => 0);
  }

  /** Starts the workers, listening to them. */
  start(hooks: DispatcherHooks): Promise<void> {
    this.#hooks = hooks;
    this.#deps.supervisor.start(this);
    return Promise.resolve();
  }

  /**
   * Lists the waiting metrics, leaves out those in hand, sizes blocks and hands them out. While
   * every worker holds a block and the list still holds metrics, a scan lists nothing: nobody
   * could take a block, and the next one comes from the list, which asks for a scan when it runs
   * dry. A listing reads the name of every batch waiting (80 ms with 50,000 metrics waiting), and
   * under a steady backlog a scan came every tick or sooner; so the list is worked through before
   * it is made again, and the metrics that arrived meanwhile then join it.
   */
  async scan(): Promise<ScanResult> {
    if (this.#queue.length > 0 && this.idleCount() === 0) {
      return { pendingMetrics: undefined, blockSize: this.#blockSize };
    }
    const pending = [...(await listPendingBySack(this.#deps.incoming)).values()].flat();
    const inHand = new Set([...this.#held.values()].flatMap((held) => held.metricIds));
    this.#queue = pending.filter((id) => !inHand.has(id));
    this.#blockSize = blockSizeFor(this.#queue.length, this.#deps.supervisor.size, {
      min: this.#deps.config.minBlockSize,
      max: this.#deps.config.maxBlockSize,
    });
    this.dispatch();
    return { pendingMetrics: pending.length, blockSize: this.#blockSize };
  }

  /** Hands out blocks to idle workers from what the last scan found. */
  dispatch(): void {
    for (const index of this.#idleWorkers()) {
      if (this.#queue.length === 0) return;
      const block = this.#takeBlock(index);
      if (!this.assign(index, block)) this.requeue(block);
    }
  }

  /**
   * The next block for worker `index`, in list order: where locks are shared by stripe, of the
   * metrics whose stripe is the worker's (stripe mod workers), as long as any is left, so that
   * workers never wait on each other's stripes; else from the front of the list.
   */
  #takeBlock(index: number): string[] {
    const size = Math.max(1, this.#blockSize);
    const stripeOf = this.#deps.locks?.stripeOf?.bind(this.#deps.locks);
    const workers = this.#deps.supervisor.size;
    if (stripeOf === undefined || workers === 1) return this.#queue.splice(0, size);
    // NOTE: only the list's head up to a full block is looked at (its stripes hashed), not the
    // whole list at every hand-out.
    const queue = this.#queue;
    const block: string[] = [];
    const passed: string[] = [];
    let end = 0;
    for (; end < queue.length && block.length < size; end++) {
      const id = queue[end] as string;
      if (stripeOf(id) % workers === index) block.push(id);
      else passed.push(id);
    }
    if (block.length === 0) return queue.splice(0, size);
    this.#queue = passed.concat(queue.slice(end));
    return block;
  }

  /** Gives a block to worker `index` (the first idle one when absent); false when it cannot. */
  assign(index: number | undefined, metricIds: readonly string[]): boolean {
    const target = index ?? this.#idleWorkers()[0];
    const ok =
      !this.#stopped &&
      target !== undefined &&
      !this.#held.has(target) &&
      this.#deps.supervisor.isReady(target);
    if (!ok) return false;
    const block = { id: this.#nextBlockId++, metricIds };
    this.#held.set(target, block);
    if (!this.#deps.supervisor.send(target, { type: 'block', blockId: block.id, metricIds })) {
      this.#held.delete(target);
      return false;
    }
    return true;
  }

  /** How many workers are ready and without a block. */
  idleCount(): number {
    return this.#idleWorkers().length;
  }

  /** Metrics waiting to be handed out, in order. */
  queued(): readonly string[] {
    return this.#queue;
  }

  /** Puts metrics back at the front of the list (a drained or dead worker's block). */
  requeue(metricIds: readonly string[]): void {
    const queued = new Set(this.#queue);
    this.#queue.unshift(...metricIds.filter((id) => !queued.has(id)));
  }

  onReady(): void {
    this.dispatch();
  }

  onDispatchMessage(index: number, message: DispatchMessage): void {
    if (message.type !== 'done' || this.#held.get(index)?.id !== message.blockId) return;
    this.#held.delete(index);
    this.#blocksDone[index] = (this.#blocksDone[index] ?? 0) + 1;
    if (message.left.length > 0) this.requeue(message.left);
    this.dispatch();
    // NOTE: a block came back with the list dry: look for more now rather than at the next tick.
    if (this.#queue.length === 0) this.#hooks?.requestScan();
  }

  onExit(index: number): number {
    const held = this.#held.get(index);
    this.#held.delete(index);
    if (held !== undefined) this.requeue(held.metricIds);
    return held?.metricIds.length ?? 0;
  }

  status(): Promise<DispatcherStatus> {
    return Promise.resolve({ workers: this.#deps.supervisor.status((index) => this.#view(index)) });
  }

  stop(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }

  #view(index: number): WorkerDispatchView {
    return {
      currentBlock: this.#held.get(index)?.metricIds.length ?? 0,
      blocksDone: this.#blocksDone[index] ?? 0,
    };
  }

  #idleWorkers(): number[] {
    const idle: number[] = [];
    for (let index = 0; index < this.#deps.supervisor.size; index++) {
      if (!this.#held.has(index) && this.#deps.supervisor.isReady(index) && !this.#stopped) {
        idle.push(index);
      }
    }
    return idle;
  }
}
