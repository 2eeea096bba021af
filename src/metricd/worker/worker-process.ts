/**
 * The worker side of metricd: a child process that runs blocks of metrics through the chef,
 * beating every second with its figures. Blocks come from its reporter over IPC (`local`
 * coordination) or from the shared BullMQ queue (Redis coordination), in which case the worker
 * tells its reporter when each starts and finishes.
 *
 * Its life: `starting` (until the reporter's `start` message has opened its services), `ready`,
 * then `draining` on the reporter's `drain`, on SIGTERM/SIGINT, or when the reporter goes away
 * (the IPC channel closes): the metrics in hand are finished, the rest of each block is reported
 * back untouched, its services are closed, and `run()` resolves with the exit code.
 */
import type { Chef } from '../../chef/index.ts';
import { addFigures, emptyFigures, type ProcessingFigures } from '../../chef/index.ts';
import type { EngineConfig } from '../../config/index.ts';
import type { IoFigures } from '../../storage/index.ts';
import { dumpOps, type OpTracker } from '../../optracker/index.ts';
import type { BlockRun } from '../cluster/block-consumer.ts';
import type { BlockJob } from '../cluster/block-job.ts';
import { isToWorker, type FromWorker, type ToWorker } from '../supervision/worker-messages.ts';

/** What a worker processes with; made by the composition root from the configuration. */
export interface WorkerServices {
  readonly chef: Pick<Chef, 'processMetrics' | 'recentDamage'>;
  /** The tracker the chef reports its ops to; dumped on the reporter's request. */
  readonly tracker: OpTracker;
  /** Its storage I/O so far, sent with each beat. */
  readonly io?: () => IoFigures;
  /** Redis coordination: starts taking blocks from the shared queue, running each with `run`. */
  readonly consumeBlocks?: (run: (block: BlockJob, run: BlockRun) => Promise<void>) => BlockSource;
  close(): Promise<void>;
}

/** Blocks taken from elsewhere than the reporter. */
export interface BlockSource {
  /** Stops taking blocks; resolves once the running ones are finished. */
  close(): Promise<void>;
}

/** Opens a worker's services. */
export type OpenWorkerServices = (config: EngineConfig, index: number) => Promise<WorkerServices>;

/** The IPC side of a child process (the `process` object in a forked child). */
export interface ParentChannel {
  send?: (message: FromWorker) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect' | NodeJS.Signals, listener: () => void): unknown;
  readonly connected?: boolean;
}

/** Where a worker is in its life. */
export type WorkerState = 'starting' | 'ready' | 'draining' | 'closed';

/** What a {@link WorkerProcess} runs with. */
export interface WorkerProcessOptions {
  readonly openServices: OpenWorkerServices;
  /** @defaultValue the process itself */
  readonly channel?: ParentChannel;
  /** Milliseconds between two beats. @defaultValue `1000` */
  readonly beatMs?: number;
  /**
   * Whether the reporter that started this worker still runs; checked at once and every
   * `watchMs`, so that a worker whose parent died at any stage (before its channel was even
   * listened to, or with its `disconnect` missed) drains and exits. @defaultValue the channel is
   * connected
   */
  readonly isParentAlive?: () => boolean;
  /** Milliseconds between two parent checks. @defaultValue `1000` */
  readonly watchMs?: number;
  /**
   * Once orphaned, the most milliseconds a drain may take before the worker exits anyway (code 1),
   * the metric in hand unfinished: its measures stay in incoming for the next worker.
   * @defaultValue `10000`
   */
  readonly orphanGraceMs?: number;
}

/** One worker process, from its start message to its exit. */
export class WorkerProcess {
  readonly #openServices: OpenWorkerServices;
  readonly #channel: ParentChannel;
  readonly #figures = emptyFigures();
  readonly #beat: NodeJS.Timeout;
  readonly #watch: NodeJS.Timeout;
  readonly #exited: Promise<number>;
  #exit: (code: number) => void = () => undefined;
  #state: WorkerState = 'starting';
  #services: WorkerServices | undefined;
  #source: BlockSource | undefined;
  /** Blocks in hand. */
  #busy = 0;

  constructor(options: WorkerProcessOptions) {
    this.#openServices = options.openServices;
    this.#channel = options.channel ?? process;
    this.#exited = new Promise<number>((resolve) => (this.#exit = resolve));
    this.#beat = setInterval(() => {
      this.#sendBeat();
    }, options.beatMs ?? 1_000);
    // NOTE: the IPC channel keeps a worker alive; the beat alone must not.
    this.#beat.unref();
    this.#channel.on('message', (message: unknown) => {
      if (isToWorker(message)) this.handle(message);
    });
    const drain = (): void => {
      this.drain();
    };
    this.#channel.on('disconnect', drain);
    this.#channel.on('SIGTERM', drain);
    this.#channel.on('SIGINT', drain);
    const isParentAlive = options.isParentAlive ?? (() => this.#channel.connected !== false);
    const orphanGraceMs = options.orphanGraceMs ?? 10_000;
    const watch = (): void => {
      if (isParentAlive()) return;
      clearInterval(this.#watch);
      this.drain();
      // NOTE: a drain stuck on anything (a lock, a hung disk) must not keep an orphan alive.
      setTimeout(() => {
        this.#exit(1);
      }, orphanGraceMs).unref();
    };
    this.#watch = setInterval(watch, options.watchMs ?? 1_000);
    this.#watch.unref();
    queueMicrotask(watch);
  }

  /** Where the worker is in its life. */
  get state(): WorkerState {
    return this.#state;
  }

  /** Resolves with the exit code once the worker has drained and closed its services. */
  run(): Promise<number> {
    return this.#exited;
  }

  /** Acts on one message from the reporter. */
  handle(message: ToWorker): void {
    switch (message.type) {
      case 'start':
        void this.#start(message.config, message.index);
        return;
      case 'block':
        void this.#runBlock(message.blockId, message.metricIds);
        return;
      case 'drain':
        this.drain();
        return;
      case 'ops':
        if (this.#services === undefined) return;
        this.#send({
          type: 'ops',
          requestId: message.requestId,
          dump: dumpOps(this.#services.tracker, message.dump, message.filter),
        });
        return;
    }
  }

  /** Finishes what is in hand, takes nothing new, then closes and exits. */
  drain(): void {
    if (this.#state === 'draining' || this.#state === 'closed') return;
    this.#state = 'draining';
    // NOTE: the queue's running blocks finish (cut short by `shouldStop`) before the services close.
    void (this.#source?.close() ?? Promise.resolve()).finally(() => void this.#closeIfIdle());
  }

  async #start(config: EngineConfig, index: number): Promise<void> {
    const services = await this.#openServices(config, index);
    if (this.#state !== 'starting') {
      // NOTE: told to drain while opening: it has exited already, holding nothing.
      await services.close();
      return;
    }
    this.#services = services;
    this.#state = 'ready';
    this.#source = services.consumeBlocks?.((block, run) => this.#runQueuedBlock(block, run));
    this.#send({ type: 'ready' });
  }

  async #runBlock(blockId: number, metricIds: readonly string[]): Promise<void> {
    const services = this.#services;
    if (services === undefined) return;
    const touched = new Set<string>();
    const blockFigures = await this.#process(services, metricIds, (metricId) =>
      touched.add(metricId),
    );
    const left = metricIds.filter((id) => !touched.has(id));
    this.#send({ type: 'done', blockId, figures: blockFigures, left });
    this.#sendBeat();
    await this.#closeIfIdle();
  }

  async #runQueuedBlock(block: BlockJob, run: BlockRun): Promise<void> {
    const services = this.#services;
    if (services === undefined) return;
    this.#send({ type: 'block-started', jobId: run.jobId, metrics: block.metricIds.length });
    const blockFigures = await this.#process(services, block.metricIds);
    this.#send({
      type: 'block-finished',
      jobId: run.jobId,
      figures: blockFigures,
      rerun: run.rerun,
    });
    this.#sendBeat();
  }

  /** Runs one block through the chef; its figures count towards the worker's whatever happens. */
  async #process(
    services: WorkerServices,
    metricIds: readonly string[],
    onMetric?: (metricId: string) => void,
  ): Promise<ProcessingFigures> {
    this.#busy++;
    let figures = emptyFigures();
    try {
      figures = await services.chef.processMetrics(metricIds, {
        shouldStop: () => this.#state === 'draining',
        ...(onMetric === undefined ? {} : { onMetric }),
      });
      return figures;
    } finally {
      this.#busy--;
      addFigures(this.#figures, figures);
    }
  }

  async #closeIfIdle(): Promise<void> {
    if (this.#state !== 'draining' || this.#busy > 0) return;
    this.#state = 'closed';
    clearInterval(this.#beat);
    clearInterval(this.#watch);
    await this.#services?.close();
    this.#exit(0);
  }

  #sendBeat(): void {
    if (this.#services !== undefined) {
      const { tracker, chef, io } = this.#services;
      const damage = chef.recentDamage();
      this.#send({
        type: 'beat',
        figures: this.#figures,
        ops: tracker.health(),
        ...(io === undefined ? {} : { io: io() }),
        ...(damage.length === 0 ? {} : { damage }),
      });
    }
  }

  #send(message: FromWorker): void {
    if (this.#channel.connected !== false) this.#channel.send?.(message);
  }
}
