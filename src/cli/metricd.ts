/**
 * `orzo metricd` (also the `metricd` binary): the reporter in this process and
 * `config.metricd.workers` worker processes, until SIGTERM or SIGINT drains them.
 */
import { fork } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import type { EngineConfig } from '../config.ts';
import { FileStatusBoard } from '../coordination/index.ts';

import { Reporter, WorkerPool, runWorkerProcess } from '../metricd/index.ts';
import { openEngineServices, type EngineServices } from './engine-services.ts';
import { onShutdownSignal } from './shutdown.ts';

const ORZO_BIN = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');

/** A running metricd. */
export interface RunningMetricd {
  readonly reporter: Reporter;
  /** Drains the workers and closes the backends. */
  stop(): Promise<void>;
}

/** Starts the reporter and its workers on already opened services (`orzo serve` shares them). */
export async function startMetricd(
  config: EngineConfig,
  services: EngineServices,
  logger: Logger,
): Promise<RunningMetricd> {
  const host = hostname();
  const name = `${host}.${process.pid}`;
  const pool = new WorkerPool({
    config,
    name,
    logger,
    spawn: (index) =>
      fork(ORZO_BIN, ['metricd-worker', `--worker-index=${index}`], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    onIdle: () => {
      reporter.onWorkerIdle();
    },
    onBlockLost: (metricIds) => {
      reporter.requeue(metricIds);
    },
  });
  const board = new FileStatusBoard(config.dataDir);
  const reporter = new Reporter({
    incoming: services.incoming,
    chef: services.chef,
    pool,
    board,
    config: config.metricd,
    logger,
    name,
    host,
  });
  pool.start();
  await reporter.start();
  logger.info({ workers: config.metricd.workers }, 'metricd started');
  return {
    reporter,
    stop: async () => {
      await reporter.stop();
      await board.close();
      logger.info('metricd stopped');
    },
  };
}

/** Runs metricd alone and resolves once it has been shut down. */
export async function runMetricd(config: EngineConfig): Promise<void> {
  const logger = pino({ name: 'metricd' });
  const services = openEngineServices(config, logger);
  const metricd = await startMetricd(config, services, logger);
  await new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await metricd.stop();
      await services.close();
      resolve();
    });
  });
}

/** The body of a worker process (`orzo metricd-worker`, started by the reporter). */
export async function runMetricdWorker(): Promise<number> {
  const logger = pino({ name: 'metricd-worker' });
  return runWorkerProcess((config, index) => {
    const services = openEngineServices(config, logger.child({ worker: index }));
    return Promise.resolve({ chef: services.chef, close: () => services.close() });
  });
}
