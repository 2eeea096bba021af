/**
 * The URL forms every data backend takes (`--incoming`, `--storage`): `file://DIR` (relative or
 * absolute) or `redis://[user:password@]host[:port][/db][?prefix=P]` / `rediss://…`, where the key
 * prefix comes from the caller's `redisPrefix`, else the URL's `prefix` parameter, else the
 * backend's default.
 */
import type { ExtraRedisOptions } from './redis-connection.ts';

/** A backend's settings, once its URL is read. */
export type BackendConfig =
  | { readonly driver: 'file'; readonly basePath: string; readonly fsync: boolean }
  | {
      readonly driver: 'redis';
      /** The URL without the `prefix` parameter, as ioredis takes it. */
      readonly url: string;
      readonly prefix: string;
      readonly redisOptions: ExtraRedisOptions;
    };

/** Settings the URL does not carry. */
export interface BackendUrlOptions {
  /** File backend: flush writes before they resolve. @defaultValue `true` */
  readonly fsync?: boolean;
  /** Redis backend: key prefix. @defaultValue the URL's `prefix` parameter, else the default */
  readonly redisPrefix?: string;
  /** Redis backend: extra ioredis options; the fail-fast ones always win. @defaultValue none */
  readonly redisOptions?: ExtraRedisOptions;
}

/** What the backend is, for messages, and its default Redis key prefix. */
export interface BackendKind {
  readonly name: string;
  readonly defaultPrefix: string;
}

/** Reads a backend URL; throws `RangeError` naming the backend for any other form. */
export function parseBackendUrl(
  url: string,
  kind: BackendKind,
  options: BackendUrlOptions = {},
): BackendConfig {
  if (url.startsWith('file://')) {
    const basePath = url.slice('file://'.length);
    if (basePath === '') throw new RangeError(`file:// ${kind.name} URL needs a folder`);
    return { driver: 'file', basePath, fsync: options.fsync ?? true };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const parsed = new URL(url);
    const urlPrefix = parsed.searchParams.get('prefix');
    parsed.searchParams.delete('prefix');
    return {
      driver: 'redis',
      url: parsed.toString(),
      prefix: options.redisPrefix ?? urlPrefix ?? kind.defaultPrefix,
      redisOptions: options.redisOptions ?? {},
    };
  }
  throw new RangeError(`unsupported ${kind.name} URL ${url}: expected file://DIR or redis://…`);
}

/** Whether two Redis URLs (as ioredis takes them) reach the same server and database. */
export function sameRedisDatabase(a: string, b: string): boolean {
  const key = (url: string): string => {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, '') || '0';
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}/${db}`;
  };
  return key(a) === key(b);
}
