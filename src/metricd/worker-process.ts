/**
 * The worker side of metricd: a child process that receives blocks of metrics from its reporter
 * over IPC and runs each through the chef, beating every second with its figures.
 *
 * It drains on the reporter's `drain`, on SIGTERM/SIGINT, or when the reporter goes away: the
 * metrics in hand are finished, the rest of the block is reported back untouched, and it exits.
 */
import type { Chef } from '../chef/index.ts';
import { addFigures, emptyFigures, type ProcessingFigures } from '../chef/index.ts';
import type { EngineConfig } from '../config.ts';
import { dumpOps, type OpTracker } from '../optracker/index.ts';
import { isToWorker, type FromWorker } from './worker-messages.ts';

/** What a worker processes with; made by the composition root from the configuration. */
export interface WorkerServices {
  readonly chef: Chef;
  /** The tracker the chef reports its ops to; dumped on the reporter's request. */
  readonly tracker: OpTracker;
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
  let busy = false;
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
    if (!draining || busy) return;
    clearInterval(beat);
    await services?.close();
    finish(0);
  };

  const runBlock = async (blockId: number, metricIds: readonly string[]): Promise<void> => {
    if (services === undefined) return;
    busy = true;
    const touched = new Set<string>();
    let blockFigures: ProcessingFigures = emptyFigures();
    try {
      blockFigures = await services.chef.processMetrics(metricIds, {
        shouldStop: () => draining,
        onMetric: (metricId) => touched.add(metricId),
      });
    } finally {
      busy = false;
      addFigures(figures, blockFigures);
      const left = metricIds.filter((id) => !touched.has(id));
      send({ type: 'done', blockId, figures: blockFigures, left });
      sendBeat();
    }
    await stopIfIdle();
  };

  const drain = (): void => {
    draining = true;
    void stopIfIdle();
  };

  channel.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    switch (message.type) {
      case 'start':
        void openServices(message.config, message.index).then((opened) => {
          services = opened;
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
