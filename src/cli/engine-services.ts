/**
 * The backends every long-running command works with, made from the configuration: indexer,
 * incoming store, storage, per-metric locks, and the chef on top of them.
 */
import { Chef } from '../chef/index.ts';
import type { Logger } from '../log/logger.ts';
import { sameRedisDatabase, type EngineConfig } from '../config/index.ts';
import { createIndexer, type Indexer } from '../indexer/index.ts';
import { Incoming, createIncomingDriver } from '../ingest/index.ts';
import { createMetricLocks, type MetricLocks } from '../lock/index.ts';
import { OpTracker } from '../optracker/index.ts';
import {
  MeteredStorageDriver,
  Storage,
  createStorageDriver,
  type IoFigures,
} from '../storage/index.ts';

/** Opened backends; `close` releases them all. */
export interface EngineServices {
  readonly indexer: Indexer;
  readonly incoming: Incoming;
  readonly storage: Storage;
  readonly locks: MetricLocks;
  readonly chef: Chef;
  /** Every op of this process (requests, metric processing, refreshes, expunges). */
  readonly tracker: OpTracker;
  /** A metricd worker's storage I/O so far. */
  readonly io?: () => IoFigures;
  close(): Promise<void>;
}

/** What a metricd worker's services add. */
export interface WorkerServiceOptions {
  /** The worker's index: its storage I/O is counted, and slowed when a fault names it. */
  readonly workerIndex?: number;
}

/** Opens the backends the configuration names. */
export function openEngineServices(
  config: EngineConfig,
  logger: Logger,
  options: WorkerServiceOptions = {},
): EngineServices {
  const indexer = createIndexer(config.backends.indexer);
  const incoming = new Incoming(createIncomingDriver(config.backends.incoming));
  const { workerIndex } = options;
  const metered =
    workerIndex === undefined
      ? undefined
      : new MeteredStorageDriver(createStorageDriver(config.backends.storage), {
          delayMs: config.metricd.faultWorkers.includes(workerIndex)
            ? config.metricd.faultIoDelayMs
            : 0,
        });
  const storage = new Storage(metered ?? createStorageDriver(config.backends.storage), {
    onCorrupt: (metricId, object, error) => {
      logger.error({ err: error, metricId, object }, 'a stored object failed to decode');
    },
  });
  const locks = createMetricLocks(config.backends.coordination, {
    dataDir: config.dataDir,
    leaseMs: config.metricd.lockLeaseSeconds * 1000,
    onLost: (metricId, error) => {
      logger.error({ err: error, metricId }, 'lost a metric lock while holding it');
    },
  });
  const tracker = new OpTracker({ config: config.ops, logger });
  tracker.start();
  const chef = new Chef({
    tracker,
    indexer,
    incoming,
    storage,
    locks,
    logger,
    concurrency: config.metricd.metricConcurrency,
    atomicFencing: storageBesideLocks(config),
  });
  return {
    indexer,
    incoming,
    storage,
    locks,
    chef,
    tracker,
    ...(metered === undefined ? {} : { io: () => metered.figures() }),
    close: async () => {
      await tracker.close();
      await locks.close();
      await storage.driver.close();
      await incoming.driver.close();
      await indexer.close();
    },
  };
}

/**
 * Whether storage lives in the Redis database that holds the metric locks, so that each storage
 * write can check the writer's lock token in the same script.
 */
function storageBesideLocks(config: EngineConfig): boolean {
  const { coordination, storage } = config.backends;
  return (
    coordination.kind === 'redis' &&
    storage.driver === 'redis' &&
    sameRedisDatabase(coordination.url, storage.url)
  );
}
