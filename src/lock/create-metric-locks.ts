/**
 * The one factory of lock services, keyed by the `--coordination` setting:
 * - `local`: lock folders under the data folder, for the processes of one machine;
 * - `redis://[user:password@]host[:port][/db][?prefix=P]` or `rediss://…`: Redis keys with a
 *   renewed lease, for processes on several machines; the key prefix comes from the URL's
 *   `prefix` parameter, else `orzo:`. The service made here owns the connection it opened and
 *   closes it in `close()`.
 */
import { ConfigError } from '../errors/config-error.ts';
import { parseBackendUrl, type BackendConfig } from '../redis/backend-url.ts';
import { createRedisClient } from '../redis/redis-connection.ts';
import { FileMetricLocks } from './file-metric-locks.ts';
import type { MetricLocks } from './metric-locks.ts';
import { DEFAULT_REDIS_LOCK_PREFIX, RedisMetricLocks } from './redis-metric-locks.ts';

/** Settings the coordination URL does not carry. */
export interface CreateMetricLocksOptions {
  /** The data folder of `local` coordination. */
  readonly dataDir: string;
  /** Redis coordination: the lease of a lock (ms). @defaultValue `10000` */
  readonly leaseMs?: number;
  readonly onLost?: (metricId: string, error: Error) => void;
}

/** Makes the lock service a coordination URL names. */
export function createMetricLocks(url: string, options: CreateMetricLocksOptions): MetricLocks {
  const onLost = options.onLost === undefined ? {} : { onLost: options.onLost };
  if (url === 'local') return new FileMetricLocks({ basePath: options.dataDir, ...onLost });
  const config = redisConfig(url);
  if (config !== undefined) {
    return new RedisMetricLocks({
      client: createRedisClient(config.url, config.redisOptions),
      prefix: config.prefix,
      closeClient: true,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      ...onLost,
    });
  }
  throw new ConfigError(`unsupported coordination URL ${url}: expected local or redis://…`, {
    path: 'coordinationUrl',
  });
}

/** The settings of a `redis://` or `rediss://` URL; `undefined` for any other form. */
function redisConfig(url: string): Extract<BackendConfig, { driver: 'redis' }> | undefined {
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) return undefined;
  let config: BackendConfig;
  try {
    config = parseBackendUrl(url, {
      name: 'coordination',
      defaultPrefix: DEFAULT_REDIS_LOCK_PREFIX,
    });
  } catch (error) {
    throw new ConfigError(`invalid coordination URL ${url}`, {
      path: 'coordinationUrl',
      cause: error,
    });
  }
  return config.driver === 'redis' ? config : undefined;
}
