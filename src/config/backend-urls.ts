/**
 * The backend URLs of the configuration, read once when the configuration is loaded into typed
 * targets that the factories take (`createIndexer`, `createIncomingDriver`,
 * `createStorageDriver`, `createMetricLocks`, the status boards), so that no other module parses
 * a URL and a bad one stops the command at start with the key that holds it.
 *
 * - indexer: `sqlite://PATH` (taken literally, relative to the working folder unless absolute),
 *   `sqlite::memory:` (a private in-memory database, for tests), `postgresql://…` or
 *   `postgres://…` (a connection string as `pg` reads it; `?options=-c%20search_path%3DS` picks
 *   the schema);
 * - incoming and storage: `file://DIR` (relative or absolute) or
 *   `redis://[user:password@]host[:port][/db][?prefix=P]` / `rediss://…`;
 * - coordination: `local` or a Redis URL as above.
 * A Redis URL's `prefix` parameter is the backend's key prefix (default {@link DEFAULT_REDIS_PREFIX})
 * and is taken off the URL that the client connects to.
 */
import { ConfigError } from '../errors/config-error.ts';

/** Key prefix of every Redis backend whose URL names none. */
export const DEFAULT_REDIS_PREFIX = 'orzo:';

/** The in-memory SQLite database's path, as better-sqlite3 names it. */
export const SQLITE_MEMORY_PATH = ':memory:';

/** A Redis server (as ioredis takes its URL) and the key prefix a backend uses in it. */
export interface RedisTarget {
  readonly url: string;
  readonly prefix: string;
}

/** Where an indexer keeps its data. */
export type IndexerTarget =
  | { readonly backend: 'sqlite'; readonly path: string }
  | { readonly backend: 'postgresql'; readonly connectionString: string };

/** Where incoming measures or stored aggregates live. */
export type DataBackendTarget =
  | {
      readonly driver: 'file';
      readonly basePath: string;
      /** Flush writes before they resolve. */
      readonly fsync: boolean;
    }
  | ({ readonly driver: 'redis' } & RedisTarget);

/** How the processes of a deployment coordinate: on one machine, or through Redis. */
export type CoordinationTarget =
  { readonly kind: 'local' } | ({ readonly kind: 'redis' } & RedisTarget);

/** Every backend of a deployment, as read from its URLs. */
export interface BackendTargets {
  readonly indexer: IndexerTarget;
  readonly incoming: DataBackendTarget;
  readonly storage: DataBackendTarget;
  readonly coordination: CoordinationTarget;
}

const SQLITE_PREFIX = 'sqlite://';
const SQLITE_MEMORY_URLS = new Set(['sqlite::memory:', 'sqlite://:memory:']);
const POSTGRESQL_SCHEME = /^postgres(ql)?:\/\//;
const REDIS_SCHEME = /^rediss?:\/\//;

/** Reads an indexer URL; throws `ConfigError` at `indexerUrl`, with any password masked. */
export function parseIndexerUrl(url: string): IndexerTarget {
  if (SQLITE_MEMORY_URLS.has(url)) return { backend: 'sqlite', path: SQLITE_MEMORY_PATH };
  if (url.startsWith(SQLITE_PREFIX)) {
    const path = url.slice(SQLITE_PREFIX.length);
    if (path === '') refuse('indexerUrl', 'indexer', url, 'it names no database file');
    return { backend: 'sqlite', path };
  }
  if (POSTGRESQL_SCHEME.test(url)) {
    if (!URL.canParse(url)) refuse('indexerUrl', 'indexer', url, 'it is not a valid URL');
    return { backend: 'postgresql', connectionString: url };
  }
  return refuse(
    'indexerUrl',
    'indexer',
    url,
    'expected sqlite://PATH, sqlite::memory: or postgresql://…',
  );
}

/** Reads an incoming or storage URL; throws `ConfigError` at `key`. */
export function parseDataBackendUrl(
  url: string,
  key: 'incomingUrl' | 'storageUrl',
  options: { readonly fsync: boolean },
): DataBackendTarget {
  const name = key === 'incomingUrl' ? 'incoming' : 'storage';
  if (url.startsWith('file://')) {
    const basePath = url.slice('file://'.length);
    if (basePath === '') refuse(key, name, url, 'it names no folder');
    return { driver: 'file', basePath, fsync: options.fsync };
  }
  if (REDIS_SCHEME.test(url)) return { driver: 'redis', ...parseRedisUrl(url, key, name) };
  return refuse(key, name, url, 'expected file://DIR or redis://…');
}

/** Reads the coordination setting; throws `ConfigError` at `coordinationUrl`. */
export function parseCoordinationUrl(url: string): CoordinationTarget {
  if (url === 'local') return { kind: 'local' };
  if (REDIS_SCHEME.test(url)) {
    return { kind: 'redis', ...parseRedisUrl(url, 'coordinationUrl', 'coordination') };
  }
  return refuse('coordinationUrl', 'coordination', url, 'expected local or redis://…');
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

function parseRedisUrl(url: string, key: string, name: string): RedisTarget {
  if (!URL.canParse(url)) refuse(key, name, url, 'it is not a valid URL');
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix');
  parsed.searchParams.delete('prefix');
  return { url: parsed.toString(), prefix: prefix ?? DEFAULT_REDIS_PREFIX };
}

function refuse(key: string, name: string, url: string, reason: string): never {
  throw new ConfigError(`unusable ${name} URL ${redactUrl(url)}: ${reason}`, { path: key });
}

/** A URL as it may be shown: the password inside it, if any, is masked. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
}
