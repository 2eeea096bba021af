/**
 * The reporter's side of the worker processes: starts them, hands them blocks, follows their
 * heartbeats, and replaces any that dies or hangs. The block of a worker that dies is given back
 * through `onBlockLost`, so that the reporter hands it out again.
 */
import type { ChildProcess } from 'node:child_process';

import { addFigures, emptyFigures, type ProcessingFigures } from '../chef/index.ts';
import type { Logger } from '../log/logger.ts';
import type { EngineConfig } from '../config/index.ts';
import type { WorkerStatus } from '../coordination/index.ts';
import type { OpFilter, OpsDump, OpsDumpName, OpsHealth } from '../optracker/index.ts';
import { isFromWorker, type FromWorker, type ToWorker } from './worker-messages.ts';

/** What a {@link WorkerPool} needs. */
export interface WorkerPoolOptions {
  readonly config: EngineConfig;
  /** Starts worker process number `index` with an IPC channel. */
  readonly spawn: (index: number) => ChildProcess;
  /** `<host>.<pid>`, the prefix of worker names. */
  readonly name: string;
  readonly logger: Logger;
  /** A worker becomes idle (ready, or done with a block). */
  readonly onIdle: () => void;
  /** A block's metrics that were not processed (drained, or their worker died). */
  readonly onBlockLost: (metricIds: readonly string[]) => void;
  /** A block finished, with its figures. */
  readonly onBlockDone?: (figures: Readonly<ProcessingFigures>) => void;
  readonly now?: () => number;
}

const RATE_WINDOW_MS = 10_000;
const RESTART_DELAY_MS = 500;
const DRAIN_TIMEOUT_MS = 30_000;

interface Worker {
  readonly index: number;
  child: ChildProcess | undefined;
  ready: boolean;
  block: { readonly id: number; readonly metricIds: readonly string[] } | undefined;
  lastBeat: number | undefined;
  restarts: number;
  blocksDone: number;
  blocksRerun: number;
  /** Redis coordination: blocks from the shared queue in hand, by job id, with their sizes. */
  readonly queued: Map<string, number>;
  /** Figures of the processes this worker slot had before the current one. */
  readonly pastFigures: ProcessingFigures;
  currentFigures: ProcessingFigures;
  /** (time, measures) samples for the rate. */
  samples: { at: number; measures: number }[];
  /** The op tracker's health at the last beat of the current process. */
  ops: OpsHealth | null;
  /** Dump requests sent to the current process, by request id. */
  readonly dumps: Map<number, (dump: OpsDump | { error: string }) => void>;
}

/** metricd's worker processes. */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #workers: Worker[];
  readonly #now: () => number;
  #nextBlockId = 1;
  #nextRequestId = 1;
  #stopping = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#workers = Array.from({ length: options.config.metricd.workers }, (_, index) => ({
      index,
      child: undefined,
      ready: false,
      block: undefined,
      lastBeat: undefined,
      restarts: 0,
      blocksDone: 0,
      blocksRerun: 0,
      queued: new Map(),
      pastFigures: emptyFigures(),
      currentFigures: emptyFigures(),
      samples: [],
      ops: null,
      dumps: new Map(),
    }));
  }

  /** Starts every worker. */
  start(): void {
    for (const worker of this.#workers) this.#spawn(worker);
  }

  /** How many workers are ready and without a block. */
  idleCount(): number {
    return this.#workers.filter((w) => w.ready && w.block === undefined && !this.#stopping).length;
  }

  /** The metrics held by workers right now. */
  inFlight(): Set<string> {
    return new Set(this.#workers.flatMap((w) => w.block?.metricIds ?? []));
  }

  /** Gives a block to an idle worker; false when none is idle. */
  assign(metricIds: readonly string[]): boolean {
    const worker = this.#workers.find((w) => w.ready && w.block === undefined);
    if (worker === undefined || this.#stopping || worker.child === undefined) return false;
    const block = { id: this.#nextBlockId++, metricIds };
    worker.block = block;
    this.#send(worker, { type: 'block', blockId: block.id, metricIds });
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

  /** Each worker's figures. */
  status(): WorkerStatus[] {
    const now = this.#now();
    return this.#workers.map((worker) => {
      const total = emptyFigures();
      addFigures(total, worker.pastFigures);
      addFigures(total, worker.currentFigures);
      return {
        name: this.#workerName(worker),
        index: worker.index,
        pid: worker.child?.pid ?? null,
        alive: worker.child !== undefined && worker.ready,
        lastBeat: worker.lastBeat === undefined ? null : new Date(worker.lastBeat).toISOString(),
        currentBlock: (worker.block?.metricIds.length ?? 0) + sum(worker.queued.values()),
        restarts: worker.restarts,
        blocksDone: worker.blocksDone,
        ...(this.#options.config.coordinationUrl === 'local'
          ? {}
          : { blocksRerun: worker.blocksRerun }),
        metricsProcessed: total.metricsProcessed,
        metricsLocked: total.metricsLocked,
        measuresProcessed: total.measuresRead,
        measuresDropped: total.measuresDropped,
        measuresPerSecond: rate(worker.samples, now),
        corrupt: total.corrupt,
        errors: total.errors,
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
      asked.map(
        (worker) =>
          new Promise<OpsDump | { error: string }>((resolve) => {
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
          }),
      ),
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
        this.#options.onIdle();
        return;
      case 'ops':
        worker.dumps.get(message.requestId)?.(message.dump);
        return;
      case 'beat':
        worker.currentFigures = message.figures;
        worker.ops = message.ops;
        worker.samples.push({ at: worker.lastBeat, measures: this.#measures(worker) });
        while ((worker.samples[0]?.at ?? Infinity) < worker.lastBeat - RATE_WINDOW_MS) {
          worker.samples.shift();
        }
        return;
      case 'block-started':
        worker.queued.set(message.jobId, message.metrics);
        return;
      case 'block-finished':
        worker.queued.delete(message.jobId);
        worker.blocksDone++;
        if (message.rerun) worker.blocksRerun++;
        this.#options.onBlockDone?.(message.figures);
        return;
      case 'done': {
        if (worker.block?.id !== message.blockId) return;
        worker.block = undefined;
        worker.blocksDone++;
        if (message.left.length > 0) this.#options.onBlockLost(message.left);
        this.#options.onBlockDone?.(message.figures);
        this.#options.onIdle();
        return;
      }
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
    worker.child = undefined;
    worker.ready = false;
    // NOTE: the dead process's ops are gone with it; nothing of them may linger as in flight.
    worker.ops = null;
    worker.queued.clear();
    for (const answer of [...worker.dumps.values()]) answer({ error: 'worker exited' });
    const lost = worker.block?.metricIds ?? [];
    worker.block = undefined;
    if (lost.length > 0) this.#options.onBlockLost(lost);
    if (this.#stopping) return;
    worker.restarts++;
    this.#options.logger.error(
      { worker: this.#workerName(worker), code, signal, blockLost: lost.length },
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

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function rate(samples: readonly { at: number; measures: number }[], now: number): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || last.at === first.at) return 0;
  // NOTE: a worker silent for longer than the window is not processing anything.
  if (now - last.at > RATE_WINDOW_MS) return 0;
  return Math.round(((last.measures - first.measures) * 1000) / (last.at - first.at));
}
