/**
 * `orzo metricd` (also the `metricd` binary): the reporter in this process and
 * `config.metricd.workers` worker processes, until SIGTERM or SIGINT drains them.
 */
import { fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import type { EngineConfig } from '../config.ts';
import {
  ADMIN_SOCKET_SUFFIX,
  FileStatusBoard,
  isOpsCommand,
  serveAdminSocket,
  type AdminSocket,
} from '../coordination/index.ts';
import { dumpOps, type OpTracker } from '../optracker/index.ts';

import { Reporter, WorkerPool, runWorkerProcess } from '../metricd/index.ts';
import { openEngineServices, type EngineServices } from './engine-services.ts';
import { onShutdownSignal } from './shutdown.ts';

const ORZO_BIN = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');
/** How long the admin socket waits for each worker's dump. */
const OPS_DUMP_TIMEOUT_MS = 2_000;

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
    tracker: services.tracker,
    pool,
    board,
    config: config.metricd,
    logger,
    name,
    host,
  });
  pool.start();
  await reporter.start();
  const adminSocket = await serveMetricdAdminSocket(config, name, services.tracker, pool, logger);
  logger.info({ workers: config.metricd.workers }, 'metricd started');
  return {
    reporter,
    stop: async () => {
      await adminSocket?.close();
      await reporter.stop();
      await board.close();
      logger.info('metricd stopped');
    },
  };
}

/**
 * The reporter's admin socket (`<dataDir>/metricd/<name>.asok`), through which the API gathers
 * the op dumps of the reporter and of every worker. Without one (a data folder whose path is too
 * long for a Unix socket) metricd still runs; only its op dumps are out of the API's reach.
 */
async function serveMetricdAdminSocket(
  config: EngineConfig,
  name: string,
  tracker: OpTracker,
  pool: WorkerPool,
  logger: Logger,
): Promise<AdminSocket | undefined> {
  const folder = join(config.dataDir, 'metricd');
  await mkdir(folder, { recursive: true });
  try {
    return await serveAdminSocket(
      join(folder, `${name}${ADMIN_SOCKET_SUFFIX}`),
      async (command) => {
        if (!isOpsCommand(command)) return { error: 'unknown command' };
        return {
          [`${name}.reporter`]: dumpOps(tracker, command.dump, command.filter),
          ...(await pool.dumpOps(command.dump, command.filter, OPS_DUMP_TIMEOUT_MS)),
        };
      },
    );
  } catch (error) {
    logger.warn(
      { err: error },
      'metricd admin socket unavailable; op dumps will not reach the API',
    );
    return undefined;
  }
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
    return Promise.resolve({
      chef: services.chef,
      tracker: services.tracker,
      close: () => services.close(),
    });
  });
}
