/**
 * The one factory of lock services, keyed by the coordination target the configuration read
 * (see `config/backend-urls.ts`):
 * - `local`: lock folders under the data folder, for the processes of one machine;
 * - Redis: keys with a renewed lease under the target's prefix, for processes on several
 *   machines. The service made here owns the connection it opened and closes it in `close()`.
 */
import type { CoordinationTarget } from '../config/index.ts';
import { createRedisClient } from '../redis/redis-connection.ts';
import { FileMetricLocks } from './file-metric-locks.ts';
import type { MetricLocks } from './metric-locks.ts';
import { RedisMetricLocks } from './redis-metric-locks.ts';

/** Settings the coordination target does not carry. */
export interface CreateMetricLocksOptions {
  /** The data folder of `local` coordination. */
  readonly dataDir: string;
  /** Redis coordination: the lease of a lock (ms). @defaultValue `10000` */
  readonly leaseMs?: number;
  readonly onLost?: (metricId: string, error: Error) => void;
}

/** Makes the lock service a coordination target names. */
export function createMetricLocks(
  target: CoordinationTarget,
  options: CreateMetricLocksOptions,
): MetricLocks {
  const onLost = options.onLost === undefined ? {} : { onLost: options.onLost };
  switch (target.kind) {
    case 'local':
      return new FileMetricLocks({ basePath: options.dataDir, ...onLost });
    case 'redis':
      return new RedisMetricLocks({
        client: createRedisClient(target.url),
        prefix: target.prefix,
        closeClient: true,
        ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
        ...onLost,
      });
  }
}
