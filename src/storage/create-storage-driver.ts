/**
 * The one factory of storage drivers, keyed by the target the configuration read from
 * `storageUrl` (see `config/backend-urls.ts`): a folder, or a Redis server and key prefix.
 * A Redis driver made here owns the connection it opened and closes it in `close()`.
 */
import type { DataBackendTarget } from '../config/index.ts';
import { createRedisClient } from '../redis/redis-connection.ts';
import { FileStorageDriver } from './file/file-storage-driver.ts';
import { RedisStorageDriver } from './redis/redis-storage-driver.ts';
import type { StorageDriver } from './storage-driver.ts';

/** Makes the storage driver a target names. */
export function createStorageDriver(target: DataBackendTarget): StorageDriver {
  switch (target.driver) {
    case 'file':
      return new FileStorageDriver({ basePath: target.basePath, fsync: target.fsync });
    case 'redis':
      return new RedisStorageDriver({
        client: createRedisClient(target.url),
        prefix: target.prefix,
        closeClients: true,
      });
  }
}
