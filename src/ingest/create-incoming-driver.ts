/**
 * The one factory of incoming drivers, keyed by the `--incoming` URL:
 * - `file://DIR` (relative or absolute; the embedded default `file://./data`);
 * - `redis://[user:password@]host[:port][/db][?prefix=P]` or `rediss://…`; the key prefix comes
 *   from `options.redisPrefix`, else the URL's `prefix` parameter, else `orzo:`.
 * A Redis driver made here owns the connections it opened and closes them in `close()`.
 */
import {
  parseBackendUrl,
  type BackendConfig,
  type BackendUrlOptions,
} from '../redis/backend-url.ts';
import { FileIncomingDriver } from './file/file-incoming-driver.ts';
import type { IncomingDriver } from './incoming-driver.ts';
import {
  createIncomingRedisClient,
  createIncomingRedisSubscriber,
} from './redis/redis-connection.ts';
import { RedisIncomingDriver } from './redis/redis-incoming-driver.ts';
import { DEFAULT_REDIS_INCOMING_PREFIX } from './redis/redis-incoming-layout.ts';

/** A driver's settings, once the URL is read. */
export type IncomingDriverConfig = BackendConfig;

/** Settings the URL does not carry. */
export type CreateIncomingDriverOptions = BackendUrlOptions;

/** Reads an incoming URL into a driver configuration. */
export function parseIncomingUrl(
  url: string,
  options: CreateIncomingDriverOptions = {},
): IncomingDriverConfig {
  return parseBackendUrl(
    url,
    { name: 'incoming', defaultPrefix: DEFAULT_REDIS_INCOMING_PREFIX },
    options,
  );
}

/** Makes the incoming driver an URL (or a parsed configuration) names. */
export function createIncomingDriver(
  url: string | IncomingDriverConfig,
  options: CreateIncomingDriverOptions = {},
): IncomingDriver {
  const config = typeof url === 'string' ? parseIncomingUrl(url, options) : url;
  switch (config.driver) {
    case 'file':
      return new FileIncomingDriver({ basePath: config.basePath, fsync: config.fsync });
    case 'redis': {
      const client = createIncomingRedisClient(config.url, config.redisOptions);
      const subscriber = createIncomingRedisSubscriber(config.url, config.redisOptions);
      return new RedisIncomingDriver({
        client,
        subscriber,
        prefix: config.prefix,
        closeClients: true,
      });
    }
  }
}
