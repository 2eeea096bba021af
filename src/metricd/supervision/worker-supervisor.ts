/**
 * The reporter's side of its worker processes, whatever hands them blocks: starts them, follows
 * their heartbeats and figures, gathers their op dumps, replaces any that dies or hangs, and
 * drains them on stop. Messages about blocks, and a worker's readiness and exit, go to the
 * dispatcher (`SupervisorListener`), which alone knows what a worker holds.
 */
import { addIoFigures, NO_IO, type IoFigures } from '../../storage/index.ts';
import type { ChildProcess } from 'node:child_process';

import {
  addFigures,
  emptyFigures,
  newestDamage,
  type DamageRecord,
  type ProcessingFigures,
} from '../../chef/index.ts';
import type { EngineConfig } from '../../config/index.ts';
import type { WorkerStatus } from '../../coordination/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { OpFilter, OpsDump, OpsDumpName, OpsHealth } from '../../optracker/index.ts';
import {
  isFromWorker,
  type DispatchMessage,
  type FromWorker,
  type ToWorker,
} from './worker-messages.ts';

/** What the dispatcher hears from the supervisor. */
export interface SupervisorListener {
  /** Worker `index` is ready for blocks (started, or restarted). */
  onReady(index: number): void;
  /** A message about blocks from worker `index`. */
  onDispatchMessage(index: number, message: DispatchMessage): void;
  /**
   * Worker `index`'s process exited: whatever it held is to be handed out again. Returns how many
   * metrics it held, for the log.
   */
  onExit(index: number): number;
}

/** What the dispatcher says about one worker in the status. */
export interface WorkerDispatchView {
  /** Metrics of the blocks it holds. */
  readonly currentBlock: number;
  readonly blocksDone: number;
  /** Redis coordination: blocks it ran again after their first worker died. */
  readonly blocksRerun?: number;
}

/** What a {@link WorkerSupervisor} needs. */
export interface WorkerSupervisorOptions {
  readonly config: EngineConfig;
  /** Starts worker process number `index` with an IPC channel. */
  readonly spawn: (index: number) => ChildProcess;
  /** `<host>.<pid>`, the prefix of worker names. */
  readonly name: string;
  readonly logger: Pick<Logger, 'error'>;
  readonly now?: () => number;
}

const RATE_WINDOW_MS = 10_000;
const RESTART_DELAY_MS = 500;
const DRAIN_TIMEOUT_MS = 30_000;

interface Worker {
  readonly index: number;
  child: ChildProcess | undefined;
  ready: boolean;
  lastBeat: number | undefined;
  restarts: number;
  /** Figures of the processes this worker slot had before the current one. */
  readonly pastFigures: ProcessingFigures;
  currentFigures: ProcessingFigures;
  /** Storage I/O of the processes this slot had before the current one. */
  pastIo: IoFigures;
  currentIo: IoFigures;
  /** (time, measures) samples for the rate. */
  samples: { at: number; measures: number }[];
  /** The op tracker's health at the last beat of the current process. */
  ops: OpsHealth | null;
  /** Damaged objects met by the processes this slot had before the current one. */
  pastDamage: readonly DamageRecord[];
  /** Damaged objects met by the current process. */
  damage: readonly DamageRecord[];
  /** Dump requests sent to the current process, by request id. */
  readonly dumps: Map<number, (dump: OpsDump | { error: string }) => void>;
}

const IDLE_VIEW: WorkerDispatchView = { currentBlock: 0, blocksDone: 0 };

/** metricd's worker processes. */
export class WorkerSupervisor {
  readonly #options: WorkerSupervisorOptions;
  readonly #workers: Worker[];
  readonly #now: () => number;
  #listener: SupervisorListener | undefined;
  #nextRequestId = 1;
  #stopping = false;

  constructor(options: WorkerSupervisorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#workers = Array.from({ length: options.config.metricd.workers }, (_, index) => ({
      index,
      child: undefined,
      ready: false,
      lastBeat: undefined,
      restarts: 0,
      pastFigures: emptyFigures(),
      currentFigures: emptyFigures(),
      pastIo: NO_IO,
      currentIo: NO_IO,
      samples: [],
      ops: null,
      pastDamage: [],
      damage: [],
      dumps: new Map(),
    }));
  }

  /** How many worker slots there are. */
  get size(): number {
    return this.#workers.length;
  }

  /** Starts every worker; `listener` hears of their readiness, blocks and exits. */
  start(listener: SupervisorListener): void {
    this.#listener = listener;
    for (const worker of this.#workers) this.#spawn(worker);
  }

  /** Whether worker `index` is up, ready, and not being drained. */
  isReady(index: number): boolean {
    const worker = this.#workers[index];
    return worker !== undefined && worker.ready && worker.child !== undefined && !this.#stopping;
  }

  /** Sends a message to worker `index`; false when it cannot take one now. */
  send(index: number, message: ToWorker): boolean {
    const worker = this.#workers[index];
    if (worker === undefined || !this.isReady(index)) return false;
    this.#send(worker, message);
    return true;
  }

  /** Kills workers that have not beaten for `timeoutMs` (they are then restarted). */
  reapHung(timeoutMs: number): void {
    const now = this.#now();
    for (const worker of this.#workers) {
      if (worker.child === undefined || worker.lastBeat === undefined) continue;
      if (now - worker.lastBeat > timeoutMs) {
        this.#options.logger.error({ worker: this.#workerName(worker) }, 'worker hung; killing it');
        worker.child.kill('SIGKILL');
      }
    }
  }

  /** Each worker's figures, with what the dispatcher says of its blocks. */
  status(view: (index: number) => WorkerDispatchView = () => IDLE_VIEW): WorkerStatus[] {
    const now = this.#now();
    return this.#workers.map((worker) => {
      const total = emptyFigures();
      addFigures(total, worker.pastFigures);
      addFigures(total, worker.currentFigures);
      const dispatch = view(worker.index);
      return {
        name: this.#workerName(worker),
        index: worker.index,
        pid: worker.child?.pid ?? null,
        alive: worker.child !== undefined && worker.ready,
        lastBeat: worker.lastBeat === undefined ? null : new Date(worker.lastBeat).toISOString(),
        currentBlock: dispatch.currentBlock,
        restarts: worker.restarts,
        blocksDone: dispatch.blocksDone,
        ...(dispatch.blocksRerun === undefined ? {} : { blocksRerun: dispatch.blocksRerun }),
        metricsProcessed: total.metricsProcessed,
        metricsLocked: total.metricsLocked,
        measuresProcessed: total.measuresRead,
        measuresDropped: total.measuresDropped,
        measuresPerSecond: rate(worker.samples, now),
        corrupt: total.corrupt,
        damaged: newestDamage([...worker.pastDamage, ...worker.damage]),
        errors: total.errors,
        ...addIoFigures(worker.pastIo, worker.currentIo),
        ops: worker.ops,
      };
    });
  }

  /**
   * One op tracker dump of every running worker, by worker name; a worker that does not answer
   * within `timeoutMs` (or dies meanwhile) answers `{ error }`. A worker being restarted is left
   * out: its ops died with its process.
   */
  async dumpOps(
    dump: OpsDumpName,
    filter: OpFilter | undefined,
    timeoutMs: number,
  ): Promise<Record<string, OpsDump | { error: string }>> {
    const asked = this.#workers.filter((worker) => worker.child !== undefined && worker.ready);
    const answers = await Promise.all(
      asked.map((worker) => this.#askDump(worker, dump, filter, timeoutMs)),
    );
    return Object.fromEntries(
      asked.map((worker, i) => [this.#workerName(worker), answers[i] ?? { error: 'no answer' }]),
    );
  }

  /** Asks every worker to drain and resolves once all have exited (killing stragglers). */
  async stop(timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    this.#stopping = true;
    const exits = this.#workers.flatMap((worker) => {
      const { child } = worker;
      if (child?.exitCode !== null || child.signalCode !== null) return [];
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      this.#send(worker, { type: 'drain' });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      return [
        exited.finally(() => {
          clearTimeout(timer);
        }),
      ];
    });
    await Promise.all(exits);
  }

  #askDump(
    worker: Worker,
    dump: OpsDumpName,
    filter: OpFilter | undefined,
    timeoutMs: number,
  ): Promise<OpsDump | { error: string }> {
    return new Promise((resolve) => {
      const requestId = this.#nextRequestId++;
      const timer = setTimeout(() => {
        worker.dumps.delete(requestId);
        resolve({ error: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      worker.dumps.set(requestId, (answer) => {
        clearTimeout(timer);
        worker.dumps.delete(requestId);
        resolve(answer);
      });
      this.#send(worker, {
        type: 'ops',
        requestId,
        dump,
        ...(filter === undefined ? {} : { filter }),
      });
    });
  }

  #spawn(worker: Worker): void {
    const child = this.#options.spawn(worker.index);
    worker.child = child;
    worker.ready = false;
    worker.lastBeat = this.#now();
    child.on('message', (message: unknown) => {
      if (isFromWorker(message)) this.#onMessage(worker, message);
    });
    child.once('exit', (code, signal) => {
      this.#onExit(worker, child, code, signal);
    });
    child.once('error', (error) => {
      this.#options.logger.error({ err: error, worker: this.#workerName(worker) }, 'worker error');
    });
    this.#send(worker, { type: 'start', index: worker.index, config: this.#options.config });
  }

  #onMessage(worker: Worker, message: FromWorker): void {
    worker.lastBeat = this.#now();
    switch (message.type) {
      case 'ready':
        worker.ready = true;
        this.#listener?.onReady(worker.index);
        return;
      case 'ops':
        worker.dumps.get(message.requestId)?.(message.dump);
        return;
      case 'beat':
        worker.currentFigures = message.figures;
        worker.currentIo = message.io ?? NO_IO;
        worker.ops = message.ops;
        worker.damage = message.damage ?? [];
        worker.samples.push({ at: worker.lastBeat, measures: this.#measures(worker) });
        while ((worker.samples[0]?.at ?? Infinity) < worker.lastBeat - RATE_WINDOW_MS) {
          worker.samples.shift();
        }
        return;
      default:
        this.#listener?.onDispatchMessage(worker.index, message);
    }
  }

  #onExit(
    worker: Worker,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (worker.child !== child) return;
    addFigures(worker.pastFigures, worker.currentFigures);
    worker.currentFigures = emptyFigures();
    worker.pastIo = addIoFigures(worker.pastIo, worker.currentIo);
    worker.currentIo = NO_IO;
    worker.pastDamage = newestDamage([...worker.pastDamage, ...worker.damage]);
    worker.damage = [];
    worker.child = undefined;
    worker.ready = false;
    // NOTE: the dead process's ops are gone with it; nothing of them may linger as in flight.
    worker.ops = null;
    for (const answer of [...worker.dumps.values()]) answer({ error: 'worker exited' });
    const blockLost = this.#listener?.onExit(worker.index) ?? 0;
    if (this.#stopping) return;
    worker.restarts++;
    this.#options.logger.error(
      { worker: this.#workerName(worker), code, signal, blockLost },
      'worker exited; restarting it',
    );
    setTimeout(() => {
      if (!this.#stopping) this.#spawn(worker);
    }, RESTART_DELAY_MS).unref();
  }

  #send(worker: Worker, message: ToWorker): void {
    const { child } = worker;
    if (child?.connected !== true) return;
    // NOTE: a worker that died between the check and the send is handled by its exit event.
    child.send(message, (error) => {
      if (error !== null) child.kill('SIGKILL');
    });
  }

  #measures(worker: Worker): number {
    return worker.pastFigures.measuresRead + worker.currentFigures.measuresRead;
  }

  #workerName(worker: Worker): string {
    return `${this.#options.name}.worker-${worker.index}`;
  }
}

function rate(samples: readonly { at: number; measures: number }[], now: number): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || last.at === first.at) return 0;
  // NOTE: a worker silent for longer than the window is not processing anything.
  if (now - last.at > RATE_WINDOW_MS) return 0;
  return Math.round(((last.measures - first.measures) * 1000) / (last.at - first.at));
}
