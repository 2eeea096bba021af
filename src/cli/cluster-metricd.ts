/**
 * metricd under Redis coordination: this process's reporter joins the election, supervises its
 * worker processes and reports them; the workers take blocks from the shared BullMQ queue.
 */
import type { ChildProcess } from 'node:child_process';

import type { Logger } from 'pino';

import type { CoordinationTarget, EngineConfig } from '../config/index.ts';
import { RedisStatusBoard, ReportBoard, ReporterElection } from '../coordination/index.ts';
import {
  BlockConsumer,
  BlockQueue,
  ClusterReporter,
  WorkerPool,
  type BlockSource,
  type WorkerServices,
} from '../metricd/index.ts';
import {
  createQueueRedisClient,
  createRedisClient,
  quitRedisClient,
} from '../redis/redis-connection.ts';
import type { EngineServices } from './engine-services.ts';
import { serveMetricdAdminSocket } from './metricd-admin-socket.ts';

type RedisCoordination = Extract<CoordinationTarget, { kind: 'redis' }>;

/** What {@link startClusterMetricd} starts from. */
export interface ClusterMetricdOptions {
  readonly config: EngineConfig;
  readonly services: EngineServices;
  readonly logger: Logger;
  readonly coordination: RedisCoordination;
  /** `<host>.<pid>`. */
  readonly name: string;
  readonly host: string;
  readonly spawnWorker: (index: number) => ChildProcess;
}

/** Starts this metricd's reporter (active or standby) and its worker processes. */
export async function startClusterMetricd(
  options: ClusterMetricdOptions,
): Promise<{ stop(): Promise<void> }> {
  const { config, services, logger, coordination, name, host } = options;
  const { url, prefix } = coordination;
  const client = createRedisClient(url);
  const queueConnection = createQueueRedisClient(url);
  const eventsConnection = createQueueRedisClient(url);
  const election = new ReporterElection({
    client,
    prefix,
    name,
    host,
    pid: process.pid,
    beaconMs: config.metricd.beaconSeconds * 1000,
    graceMs: config.metricd.reporterGraceSeconds * 1000,
    onChange: (role, epoch) => {
      logger.info(
        { role, epoch },
        role === 'active' ? 'reporter is active' : 'reporter is standby',
      );
      reporter.onRoleChange();
    },
    onError: (error) => {
      logger.warn({ err: error }, 'reporter beacon failed');
    },
  });
  const pool = new WorkerPool({
    config,
    name,
    logger,
    spawn: options.spawnWorker,
    // NOTE: workers take blocks from the queue, which also gives back those of a dead worker.
    onIdle: () => undefined,
    onBlockLost: () => undefined,
  });
  const queue = new BlockQueue({ connection: queueConnection, eventsConnection, prefix });
  const reporter = new ClusterReporter({
    incoming: services.incoming,
    chef: services.chef,
    tracker: services.tracker,
    pool,
    election,
    queue,
    reports: new ReportBoard(client, prefix),
    board: new RedisStatusBoard({
      client,
      prefix,
      writer: () => ({ name, epoch: election.epoch }),
    }),
    config: config.metricd,
    logger,
    name,
    host,
  });
  pool.start();
  await reporter.start();
  const adminSocket = await serveMetricdAdminSocket(config, name, services.tracker, pool, logger);
  logger.info(
    { workers: config.metricd.workers, role: election.role, coordination: 'redis' },
    'metricd started',
  );
  return {
    stop: async () => {
      await adminSocket?.close();
      await reporter.stop();
      await queue.close();
      await quitRedisClient(eventsConnection);
      await quitRedisClient(queueConnection);
      await quitRedisClient(client);
      logger.info('metricd stopped');
    },
  };
}

/** A worker process's source of blocks under Redis coordination: the shared queue. */
export function consumeQueuedBlocks(
  config: EngineConfig,
  coordination: RedisCoordination,
  logger: Logger,
): NonNullable<WorkerServices['consumeBlocks']> {
  return (run): BlockSource => {
    const connection = createQueueRedisClient(coordination.url);
    const consumer = new BlockConsumer({
      connection,
      prefix: coordination.prefix,
      concurrency: config.metricd.jobConcurrency,
      lockMs: config.metricd.jobLockSeconds * 1000,
      run,
      onError: (error) => {
        logger.warn({ err: error }, 'block queue error');
      },
    });
    return {
      close: async () => {
        await consumer.close();
        await quitRedisClient(connection);
      },
    };
  };
}
