/**
 * The one factory of storage drivers, keyed by the `--storage` URL:
 * - `file://DIR` (relative or absolute; the embedded default `file://./data`);
 * - `redis://[user:password@]host[:port][/db][?prefix=P]` or `rediss://…`; the key prefix comes
 *   from `options.redisPrefix`, else the URL's `prefix` parameter, else `orzo:`.
 * A Redis driver made here owns the connection it opened and closes it in `close()`.
 */
import {
  parseBackendUrl,
  type BackendConfig,
  type BackendUrlOptions,
} from '../redis/backend-url.ts';
import { createRedisClient } from '../redis/redis-connection.ts';
import { FileStorageDriver } from './file/file-storage-driver.ts';
import { RedisStorageDriver } from './redis/redis-storage-driver.ts';
import { DEFAULT_REDIS_STORAGE_PREFIX } from './redis/redis-storage-layout.ts';
import type { StorageDriver } from './storage-driver.ts';

/** A driver's settings, once the URL is read. */
export type StorageDriverConfig = BackendConfig;

/** Settings the URL does not carry. */
export type CreateStorageDriverOptions = BackendUrlOptions;

/** Reads a storage URL into a driver configuration. */
export function parseStorageUrl(
  url: string,
  options: CreateStorageDriverOptions = {},
): StorageDriverConfig {
  return parseBackendUrl(
    url,
    { name: 'storage', defaultPrefix: DEFAULT_REDIS_STORAGE_PREFIX },
    options,
  );
}

/** Makes the storage driver a URL (or a parsed configuration) names. */
export function createStorageDriver(
  url: string | StorageDriverConfig,
  options: CreateStorageDriverOptions = {},
): StorageDriver {
  const config = typeof url === 'string' ? parseStorageUrl(url, options) : url;
  switch (config.driver) {
    case 'file':
      return new FileStorageDriver({ basePath: config.basePath, fsync: config.fsync });
    case 'redis':
      return new RedisStorageDriver({
        client: createRedisClient(config.url, config.redisOptions),
        prefix: config.prefix,
        closeClients: true,
      });
  }
}
