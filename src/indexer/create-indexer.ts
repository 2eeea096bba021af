/**
 * The indexer factory, keyed by the URL's scheme:
 *
 * - `sqlite://PATH`: a SQLite file (the embedded default); PATH is taken literally, relative to
 *   the working folder unless absolute (`sqlite:///srv/orzo/index.db`), and its folder is created;
 * - `sqlite::memory:`: a private in-memory SQLite database, for tests;
 * - `postgresql://…` or `postgres://…`: a PostgreSQL connection string as `pg` reads it, where
 *   `?options=-c%20search_path%3DSCHEMA` picks the schema.
 *
 * Nothing is opened until the first call; whoever creates an indexer closes it.
 */
import { redactUrl } from '../config.ts';
import { ConfigError } from '../errors/config-error.ts';
import type { Indexer } from './indexer.ts';
import { KyselyIndexer } from './kysely-indexer.ts';
import { createPostgresqlDialect } from './postgresql-dialect.ts';
import { createSqliteDialect, SQLITE_MEMORY_PATH } from './sqlite-dialect.ts';

/** Where an indexer keeps its data, as parsed from its URL. */
export type IndexerTarget =
  | { readonly backend: 'sqlite'; readonly path: string }
  | { readonly backend: 'postgresql'; readonly connectionString: string };

const SQLITE_PREFIX = 'sqlite://';
const SQLITE_MEMORY_URLS = new Set(['sqlite::memory:', 'sqlite://:memory:']);
const POSTGRESQL_SCHEME = /^postgres(ql)?:\/\//;

/** Creates the indexer an `indexerUrl` names; throws `ConfigError` for a URL it cannot use. */
export function createIndexer(url: string): Indexer {
  const target = parseIndexerUrl(url);
  switch (target.backend) {
    case 'sqlite':
      return new KyselyIndexer(createSqliteDialect(target.path));
    case 'postgresql':
      return new KyselyIndexer(createPostgresqlDialect(target.connectionString));
  }
}

/** Parses an indexer URL; throws `ConfigError`, with any password masked, when it is unusable. */
export function parseIndexerUrl(url: string): IndexerTarget {
  if (SQLITE_MEMORY_URLS.has(url)) return { backend: 'sqlite', path: SQLITE_MEMORY_PATH };
  if (url.startsWith(SQLITE_PREFIX)) {
    const path = url.slice(SQLITE_PREFIX.length);
    if (path === '') fail(url, 'it names no database file');
    return { backend: 'sqlite', path };
  }
  if (POSTGRESQL_SCHEME.test(url)) {
    if (!URL.canParse(url)) fail(url, 'it is not a valid URL');
    return { backend: 'postgresql', connectionString: url };
  }
  return fail(url, 'expected sqlite://PATH, sqlite::memory: or postgresql://…');
}

function fail(url: string, reason: string): never {
  const shown = redactUrl(url);
  throw new ConfigError(`unusable indexer URL ${shown}: ${reason}`, { path: 'indexerUrl' });
}
