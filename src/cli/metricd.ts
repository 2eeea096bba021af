/**
 * `orzo metricd` (also the `metricd` binary): the reporter in this process and
 * `config.metricd.workers` worker processes, until SIGTERM or SIGINT drains them. Under `local`
 * coordination the reporter hands blocks to its workers over IPC; under Redis coordination
 * (`cluster-metricd.ts`) the workers take blocks from a shared queue and the reporters elect one
 * of them to hand blocks out.
 */
import { fork } from 'node:child_process';
import { hostname } from 'node:os';

import { pino, type Logger } from 'pino';

import type { EngineConfig } from '../config/index.ts';
import { createHostNowBoard, FileStatusBoard, type HostNowBoard } from '../coordination/index.ts';
import {
  ALWAYS_ACTIVE,
  HostPoller,
  Janitor,
  LocalDispatcher,
  SubhealthChecker,
  WorkerFiguresRecorder,
  Reporter,
  WorkerProcess,
  WorkerSupervisor,
  type ReporterModule,
} from '../metricd/index.ts';
import {
  consumeQueuedBlocks,
  openClusterMode,
  type MetricdMode,
  type MetricdModeOptions,
} from './cluster-metricd.ts';
import { openEngineServices, type EngineServices } from './engine-services.ts';
import { serveMetricdAdminSocket } from './metricd-admin-socket.ts';
import { onShutdownSignal } from './shutdown.ts';
import { packagePath } from '../fs/package-root.ts';

const ORZO_BIN = packagePath('bin', 'orzo.js');

/** A running metricd. */
export interface RunningMetricd {
  /** Drains the workers and closes what metricd opened (not the services it was given). */
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
  const { workerSemiSpaceMb } = config.metricd;
  const spawn = (index: number) => spawnWorker(index, workerSemiSpaceMb);
  const supervisor = new WorkerSupervisor({ config, name, logger, spawn });
  const { coordination } = config.backends;
  const modeOptions = { config, services, logger, name, host, supervisor };
  const mode =
    coordination.kind === 'redis'
      ? openClusterMode({ ...modeOptions, coordination })
      : openLocalMode(modeOptions);
  const nowBoard = config.poller.enabled
    ? createHostNowBoard(coordination, config.dataDir)
    : undefined;
  const reporter = new Reporter({
    dispatcher: mode.dispatcher,
    leadership: mode.leadership,
    supervisor,
    incoming: services.incoming,
    board: mode.board,
    modules: reporterModules(config, services, logger, nowBoard),
    config: config.metricd,
    tracker: services.tracker,
    logger,
    name,
    host,
  });
  await reporter.start();
  const recorder = new WorkerFiguresRecorder({
    indexer: services.indexer,
    incoming: services.incoming,
    logger,
    workers: () => supervisor.status(),
    host,
    defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods,
  });
  recorder.start();
  const { tracker } = services;
  const adminSocket = await serveMetricdAdminSocket({ config, name, tracker, supervisor, logger });
  logger.info(
    { workers: config.metricd.workers, coordination: coordination.kind },
    'metricd started',
  );
  return {
    stop: async () => {
      await adminSocket?.close();
      await recorder.stop();
      await reporter.stop();
      await mode.close();
      await nowBoard?.close();
      logger.info('metricd stopped');
    },
  };
}

/** One machine: blocks over IPC to this metricd's workers, the status in the data folder. */
function openLocalMode({ config, services, supervisor }: MetricdModeOptions): MetricdMode {
  const board = new FileStatusBoard(config.dataDir);
  return {
    dispatcher: new LocalDispatcher({
      supervisor,
      incoming: services.incoming,
      config: config.metricd,
      locks: services.locks,
    }),
    leadership: ALWAYS_ACTIVE,
    board,
    close: () => board.close(),
  };
}

/**
 * Starts worker process number `index`, with an IPC channel to this process, with this process's
 * Node options and, unless `semiSpaceMb` is 0, young-generation semi-spaces of that size.
 */
function spawnWorker(index: number, semiSpaceMb: number): ReturnType<typeof fork> {
  const youngGeneration = semiSpaceMb > 0 ? [`--max-semi-space-size=${semiSpaceMb}`] : [];
  return fork(
    ORZO_BIN,
    ['metricd-worker', `--worker-index=${index}`, `--parent-pid=${process.pid}`],
    {
      execArgv: [...process.execArgv, ...youngGeneration],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
}

/** Runs metricd alone and resolves once it has been shut down. */
export async function runMetricd(config: EngineConfig): Promise<void> {
  const logger = pino({ name: 'metricd', level: config.log.level });
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
  const parentPid = Number(process.argv.find((arg) => arg.startsWith('--parent-pid='))?.slice(13));
  const worker = new WorkerProcess({
    // NOTE: an orphan is adopted by another process, so its parent pid changes.
    isParentAlive: () => process.connected && (!parentPid || process.ppid === parentPid),
    openServices: (config, index) => {
      const workerLogger = logger.child({ worker: index }, { level: config.log.level });
      const services = openEngineServices(config, workerLogger, { workerIndex: index });
      const { coordination } = config.backends;
      return Promise.resolve({
        chef: services.chef,
        tracker: services.tracker,
        ...(services.io === undefined ? {} : { io: services.io }),
        ...(coordination.kind === 'redis'
          ? { consumeBlocks: consumeQueuedBlocks(config, coordination, workerLogger) }
          : {}),
        close: () => services.close(),
      });
    },
  });
  return worker.run();
}

/**
 * The modules of the active reporter: the janitor, sub-health detection, and the host poller
 * when enabled.
 */
function reporterModules(
  config: EngineConfig,
  services: EngineServices,
  logger: Logger,
  nowBoard: HostNowBoard | undefined,
): ReporterModule[] {
  const modules: ReporterModule[] = [
    new Janitor(services.chef, logger, config.metricd.janitorSeconds * 1000),
    new SubhealthChecker({
      indexer: services.indexer,
      storage: services.storage,
      incoming: services.incoming,
      logger,
      defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods,
    }),
  ];
  const { poller } = config;
  if (poller.enabled && poller.secret !== undefined) {
    modules.push(
      new HostPoller({
        indexer: services.indexer,
        incoming: services.incoming,
        logger,
        secret: poller.secret,
        quantumSeconds: poller.quantumSeconds,
        timeoutMs: poller.timeoutSeconds * 1000,
        deadAfterMs: poller.deadAfterSeconds * 1000,
        archivePolicyName: poller.archivePolicy,
        ...(nowBoard === undefined ? {} : { nowBoard }),
        defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods,
      }),
    );
  }
  return modules;
}
