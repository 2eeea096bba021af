/**
 * The one factory of storage drivers, keyed by the `--storage` URL:
 * - `file://DIR` (relative or absolute; the embedded default `file://./data`);
 * - `redis://[user:password@]host[:port][/db][?prefix=P]` or `rediss://…`; the key prefix comes
 *   from `options.redisPrefix`, else the URL's `prefix` parameter, else `orzo:`.
 * A Redis driver made here owns the connection it opened and closes it in `close()`.
 */
import { createRedisClient, type ExtraRedisOptions } from '../redis/redis-connection.ts';
import { FileStorageDriver } from './file/file-storage-driver.ts';
import { RedisStorageDriver } from './redis/redis-storage-driver.ts';
import { DEFAULT_REDIS_STORAGE_PREFIX } from './redis/redis-storage-layout.ts';
import type { StorageDriver } from './storage-driver.ts';

/** A driver's settings, once the URL is read. */
export type StorageDriverConfig =
  | { readonly driver: 'file'; readonly basePath: string; readonly fsync: boolean }
  | {
      readonly driver: 'redis';
      /** The URL without the `prefix` parameter, as ioredis takes it. */
      readonly url: string;
      readonly prefix: string;
      readonly redisOptions: ExtraRedisOptions;
    };

/** Settings the URL does not carry. */
export interface CreateStorageDriverOptions {
  /** File driver: flush objects and folders before an update resolves. @defaultValue `true` */
  readonly fsync?: boolean;
  /** Redis driver: key prefix. @defaultValue the URL's `prefix` parameter, else `orzo:` */
  readonly redisPrefix?: string;
  /** Redis driver: extra ioredis options; the fail-fast ones always win. @defaultValue none */
  readonly redisOptions?: ExtraRedisOptions;
}

/** Reads a storage URL into a driver configuration. */
export function parseStorageUrl(
  url: string,
  options: CreateStorageDriverOptions = {},
): StorageDriverConfig {
  if (url.startsWith('file://')) {
    const basePath = url.slice('file://'.length);
    if (basePath === '') throw new RangeError('file:// storage URL needs a folder');
    return { driver: 'file', basePath, fsync: options.fsync ?? true };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const parsed = new URL(url);
    const urlPrefix = parsed.searchParams.get('prefix');
    parsed.searchParams.delete('prefix');
    return {
      driver: 'redis',
      url: parsed.toString(),
      prefix: options.redisPrefix ?? urlPrefix ?? DEFAULT_REDIS_STORAGE_PREFIX,
      redisOptions: options.redisOptions ?? {},
    };
  }
  throw new RangeError(`unsupported storage URL ${url}: expected file://DIR or redis://…`);
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
