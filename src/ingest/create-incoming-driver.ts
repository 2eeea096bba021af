/**
 * The one factory of incoming drivers, keyed by the `--incoming` URL:
 * - `file://DIR` (relative or absolute; the embedded default `file://./data`);
 * - `redis://[user:password@]host[:port][/db][?prefix=P]` or `rediss://…`; the key prefix comes
 *   from `options.redisPrefix`, else the URL's `prefix` parameter, else `orzo:`.
 * A Redis driver made here owns the connections it opened and closes them in `close()`.
 */
import type { RedisOptions } from 'ioredis';

import { FileIncomingDriver } from './file/file-incoming-driver.ts';
import type { IncomingDriver } from './incoming-driver.ts';
import {
  createIncomingRedisClient,
  createIncomingRedisSubscriber,
} from './redis/redis-connection.ts';
import { RedisIncomingDriver } from './redis/redis-incoming-driver.ts';
import { DEFAULT_REDIS_INCOMING_PREFIX } from './redis/redis-incoming-layout.ts';

/** A driver's settings, once the URL is read. */
export type IncomingDriverConfig =
  | { readonly driver: 'file'; readonly basePath: string; readonly fsync: boolean }
  | {
      readonly driver: 'redis';
      /** The URL without the `prefix` parameter, as ioredis takes it. */
      readonly url: string;
      readonly prefix: string;
      readonly redisOptions: Omit<RedisOptions, 'replyMapping'>;
    };

/** Settings the URL does not carry. */
export interface CreateIncomingDriverOptions {
  /** File driver: flush each batch before a write resolves. @defaultValue `true` */
  readonly fsync?: boolean;
  /** Redis driver: key prefix. @defaultValue the URL's `prefix` parameter, else `orzo:` */
  readonly redisPrefix?: string;
  /** Redis driver: extra ioredis options; the fail-fast ones always win. @defaultValue none */
  readonly redisOptions?: Omit<RedisOptions, 'replyMapping'>;
}

/** Reads an incoming URL into a driver configuration. */
export function parseIncomingUrl(
  url: string,
  options: CreateIncomingDriverOptions = {},
): IncomingDriverConfig {
  if (url.startsWith('file://')) {
    const basePath = url.slice('file://'.length);
    if (basePath === '') throw new RangeError('file:// incoming URL needs a folder');
    return { driver: 'file', basePath, fsync: options.fsync ?? true };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const parsed = new URL(url);
    const urlPrefix = parsed.searchParams.get('prefix');
    parsed.searchParams.delete('prefix');
    return {
      driver: 'redis',
      url: parsed.toString(),
      prefix: options.redisPrefix ?? urlPrefix ?? DEFAULT_REDIS_INCOMING_PREFIX,
      redisOptions: options.redisOptions ?? {},
    };
  }
  throw new RangeError(`unsupported incoming URL ${url}: expected file://DIR or redis://…`);
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
