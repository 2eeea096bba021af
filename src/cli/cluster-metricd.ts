/**
 * metricd under Redis coordination: the reporter joins the election, reports this metricd's
 * workers, and, while active, hands blocks out through the shared BullMQ queue; the workers take
 * blocks from that queue.
 */
import type { Logger } from 'pino';

import type { CoordinationTarget, EngineConfig } from '../config/index.ts';
import {
  RedisStatusBoard,
  ReportBoard,
  ReporterElection,
  type StatusBoard,
} from '../coordination/index.ts';
import {
  BlockConsumer,
  BlockQueue,
  ClusterDispatcher,
  ElectionLeadership,
  type BlockDispatcher,
  type BlockSource,
  type Leadership,
  type WorkerServices,
  type WorkerSupervisor,
} from '../metricd/index.ts';
import {
  createQueueRedisClient,
  createRedisClient,
  quitRedisClient,
} from '../redis/redis-connection.ts';
import type { EngineServices } from './engine-services.ts';

type RedisCoordination = Extract<CoordinationTarget, { kind: 'redis' }>;

/** What a mode of metricd is made from. */
export interface MetricdModeOptions {
  readonly config: EngineConfig;
  readonly services: EngineServices;
  readonly logger: Logger;
  /** `<host>.<pid>`. */
  readonly name: string;
  readonly host: string;
  readonly supervisor: WorkerSupervisor;
}

/** The parts of a reporter that differ between metricd's two modes. */
export interface MetricdMode {
  readonly dispatcher: BlockDispatcher;
  readonly leadership: Leadership;
  readonly board: StatusBoard;
  /** Closes what the mode opened, once the reporter has stopped. */
  close(): Promise<void>;
}

/** Opens Redis coordination's parts: the election, the report board, the queue and the status. */
export function openClusterMode(
  options: MetricdModeOptions & { readonly coordination: RedisCoordination },
): MetricdMode {
  const { config, services, logger, coordination, name, host, supervisor } = options;
  const { url, prefix } = coordination;
  const client = createRedisClient(url);
  const queueConnection = createQueueRedisClient(url);
  const eventsConnection = createQueueRedisClient(url);
  const election: ReporterElection = new ReporterElection({
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
      leadership.notify();
    },
    onError: (error) => {
      logger.warn({ err: error }, 'reporter beacon failed');
    },
  });
  const leadership = new ElectionLeadership(election);
  const queue = new BlockQueue({ connection: queueConnection, eventsConnection, prefix });
  const dispatcher = new ClusterDispatcher({
    supervisor,
    incoming: services.incoming,
    queue,
    reports: new ReportBoard(client, prefix),
    election,
    config: config.metricd,
    name,
    host,
  });
  const board = new RedisStatusBoard({
    client,
    prefix,
    writer: () => ({ name, epoch: election.epoch }),
  });
  return {
    dispatcher,
    leadership,
    board,
    close: async () => {
      await queue.close();
      await quitRedisClient(eventsConnection);
      await quitRedisClient(queueConnection);
      await quitRedisClient(client);
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
