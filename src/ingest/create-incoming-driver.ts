/**
 * The one factory of incoming drivers, keyed by the target the configuration read from
 * `incomingUrl` (see `config/backend-urls.ts`): a folder, or a Redis server and key prefix.
 * A Redis driver made here owns the connections it opened and closes them in `close()`.
 */
import type { DataBackendTarget } from '../config/index.ts';
import { FileIncomingDriver } from './file/file-incoming-driver.ts';
import type { IncomingDriver } from './incoming-driver.ts';
import {
  createIncomingRedisClient,
  createIncomingRedisSubscriber,
} from './redis/redis-connection.ts';
import { RedisIncomingDriver } from './redis/redis-incoming-driver.ts';

/** Makes the incoming driver a target names. */
export function createIncomingDriver(target: DataBackendTarget): IncomingDriver {
  switch (target.driver) {
    case 'file':
      return new FileIncomingDriver({ basePath: target.basePath, fsync: target.fsync });
    case 'redis':
      return new RedisIncomingDriver({
        client: createIncomingRedisClient(target.url),
        subscriber: createIncomingRedisSubscriber(target.url),
        prefix: target.prefix,
        closeClients: true,
      });
  }
}
