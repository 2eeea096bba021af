/**
 * The indexer factory, keyed by the target the configuration read from `indexerUrl` (see
 * `config/backend-urls.ts`): a SQLite file (the embedded default; its folder is created), a
 * private in-memory SQLite database, or a PostgreSQL connection string as `pg` reads it.
 *
 * Nothing is opened until the first call; whoever creates an indexer closes it.
 */
import type { IndexerTarget } from '../config/index.ts';
import type { Indexer } from './indexer.ts';
import { KyselyIndexer } from './kysely-indexer.ts';
import { createPostgresqlDialect } from './postgresql-dialect.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';

/** Creates the indexer a target names. */
export function createIndexer(target: IndexerTarget): Indexer {
  switch (target.backend) {
    case 'sqlite':
      return new KyselyIndexer(createSqliteDialect(target.path));
    case 'postgresql':
      return new KyselyIndexer(createPostgresqlDialect(target.connectionString));
  }
}
