/**
 * The `--coordination` setting: `local` (processes of one machine: lock folders, a status file,
 * IPC between metricd and its workers) or `redis://[user:password@]host[:port][/db][?prefix=P]`
 * (any number of processes on any number of hosts: Redis locks, BullMQ jobs, an elected
 * reporter).
 */
import { parseBackendUrl } from '../redis/backend-url.ts';
import type { ExtraRedisOptions } from '../redis/redis-connection.ts';

/** Redis key prefix of coordination when the URL names none. */
export const DEFAULT_COORDINATION_PREFIX = 'orzo:';

/** A coordination setting, once read. */
export type CoordinationConfig =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'redis';
      /** The URL without the `prefix` parameter, as ioredis takes it. */
      readonly url: string;
      readonly prefix: string;
      readonly redisOptions: ExtraRedisOptions;
    };

/** Reads a coordination URL; throws `RangeError` for anything but `local` and Redis URLs. */
export function parseCoordinationUrl(url: string): CoordinationConfig {
  if (url === 'local') return { kind: 'local' };
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    throw new RangeError(`unsupported coordination URL ${url}: expected local or redis://…`);
  }
  const parsed = parseBackendUrl(url, {
    name: 'coordination',
    defaultPrefix: DEFAULT_COORDINATION_PREFIX,
  });
  if (parsed.driver !== 'redis') throw new RangeError(`unsupported coordination URL ${url}`);
  return {
    kind: 'redis',
    url: parsed.url,
    prefix: parsed.prefix,
    redisOptions: parsed.redisOptions,
  };
}
