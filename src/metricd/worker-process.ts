/**
 * The worker side of metricd: a child process that runs blocks of metrics through the chef,
 * beating every second with its figures. Blocks come from its reporter over IPC (`local`
 * coordination) or from the shared BullMQ queue (Redis coordination), in which case the worker
 * tells its reporter when each starts and finishes.
 *
 * It drains on the reporter's `drain`, on SIGTERM/SIGINT, or when the reporter goes away: the
 * metrics in hand are finished, the rest of the block is reported back untouched, and it exits.
 */
import type { Chef } from '../chef/index.ts';
import { addFigures, emptyFigures, type ProcessingFigures } from '../chef/index.ts';
import type { EngineConfig } from '../config/index.ts';
import { dumpOps, type OpTracker } from '../optracker/index.ts';
import type { BlockJob } from './block-job.ts';
import type { BlockRun } from './block-consumer.ts';
import { isToWorker, type FromWorker } from './worker-messages.ts';

/** What a worker processes with; made by the composition root from the configuration. */
export interface WorkerServices {
  readonly chef: Chef;
  /** The tracker the chef reports its ops to; dumped on the reporter's request. */
  readonly tracker: OpTracker;
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

const BEAT_MS = 1_000;

/** Runs a worker until it has drained; resolves with its exit code. */
export function runWorkerProcess(
  openServices: OpenWorkerServices,
  channel: ParentChannel = process,
): Promise<number> {
  const figures = emptyFigures();
  const send = (message: FromWorker): void => {
    if (channel.connected !== false) channel.send?.(message);
  };
  let services: WorkerServices | undefined;
  let source: BlockSource | undefined;
  /** Blocks in hand. */
  let busy = 0;
  let draining = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const sendBeat = (): void => {
    if (services !== undefined) send({ type: 'beat', figures, ops: services.tracker.health() });
  };
  const beat = setInterval(() => {
    sendBeat();
  }, BEAT_MS);

  const stopIfIdle = async (): Promise<void> => {
    if (!draining || busy > 0) return;
    clearInterval(beat);
    await services?.close();
    finish(0);
  };

  const runQueuedBlock = async (block: BlockJob, run: BlockRun): Promise<void> => {
    if (services === undefined) return;
    busy++;
    send({ type: 'block-started', jobId: run.jobId, metrics: block.metricIds.length });
    let blockFigures: ProcessingFigures = emptyFigures();
    try {
      blockFigures = await services.chef.processMetrics(block.metricIds, {
        shouldStop: () => draining,
      });
    } finally {
      busy--;
      addFigures(figures, blockFigures);
      send({ type: 'block-finished', jobId: run.jobId, figures: blockFigures, rerun: run.rerun });
      sendBeat();
    }
  };

  const runBlock = async (blockId: number, metricIds: readonly string[]): Promise<void> => {
    if (services === undefined) return;
    busy++;
    const touched = new Set<string>();
    let blockFigures: ProcessingFigures = emptyFigures();
    try {
      blockFigures = await services.chef.processMetrics(metricIds, {
        shouldStop: () => draining,
        onMetric: (metricId) => touched.add(metricId),
      });
    } finally {
      busy--;
      addFigures(figures, blockFigures);
      const left = metricIds.filter((id) => !touched.has(id));
      send({ type: 'done', blockId, figures: blockFigures, left });
      sendBeat();
    }
    await stopIfIdle();
  };

  const drain = (): void => {
    if (draining) return;
    draining = true;
    // NOTE: the queue's running blocks finish (cut short by `shouldStop`) before the services close.
    void (source?.close() ?? Promise.resolve()).finally(() => void stopIfIdle());
  };

  channel.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    switch (message.type) {
      case 'start':
        void openServices(message.config, message.index).then((opened) => {
          services = opened;
          source = opened.consumeBlocks?.(runQueuedBlock);
          send({ type: 'ready' });
        });
        return;
      case 'block':
        void runBlock(message.blockId, message.metricIds);
        return;
      case 'drain':
        drain();
        return;
      case 'ops':
        if (services === undefined) return;
        send({
          type: 'ops',
          requestId: message.requestId,
          dump: dumpOps(services.tracker, message.dump, message.filter),
        });
        return;
    }
  });
  channel.on('disconnect', drain);
  channel.on('SIGTERM', drain);
  channel.on('SIGINT', drain);
  return finished;
}
