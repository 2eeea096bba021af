/**
 * The SQLite pieces of the indexer: the embedded default, one file in the data folder, through
 * better-sqlite3.
 *
 * The file is opened in WAL mode (readers never block the writer, and metricd and the API may be
 * separate processes on one file), with a busy timeout (a writer waits for another instead of
 * failing at once) and foreign keys on (SQLite leaves them off by default). Write transactions
 * begin `IMMEDIATE`, taking the write lock up front: a deferred transaction that reads and then
 * writes can otherwise fail with SQLITE_BUSY when another process wrote in between, without the
 * busy timeout helping. DDL is transactional in SQLite, so migrations run in a transaction too.
 *
 * Statements are prepared once per SQL text and kept (up to {@link MAX_CACHED_STATEMENTS}): Kysely
 * prepares every query it runs, and compiling the SQL again cost as much as running the small
 * queries an API request makes. SQLite re-prepares a kept statement by itself after a schema
 * change, and Kysely runs one query at a time on the connection, so a kept statement is never
 * busy with another query.
 *
 * Open one indexer per file per process: better-sqlite3 waits for a lock synchronously, so a
 * second connection of the same process would block the event loop, and with it the transaction it
 * waits for, until the busy timeout. Separate processes (metricd workers, `orzo upgrade`) are fine.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';
import {
  sql,
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type DialectAdapter,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';

import { SQLITE_MEMORY_PATH } from '../config/index.ts';
import { IndexerUnavailableError } from './errors.ts';
import type { DriverErrorKind, SqlDialect } from './sql-dialect.ts';

/** Milliseconds a statement waits for another connection's write lock before giving up. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Prepared statements kept per database: the indexer's queries have a few dozen SQL texts, and
 * batches of ids (`IN` lists of every length up to 500) add one per length.
 */
export const MAX_CACHED_STATEMENTS = 256;

/** The SQLite dialect for a database file (its folder is created) or {@link SQLITE_MEMORY_PATH}. */
export function createSqliteDialect(path: string): SqlDialect {
  return {
    backend: 'sqlite',
    // NOTE: opening is deferred to the first query, so creating an indexer never touches disk.
    kyselyDialect: new ImmediateSqliteDialect({
      database: () => Promise.resolve(withStatementCache(openDatabase(path))),
    }),
    textType: 'text',
    jsonType: 'text',
    bigintType: 'integer',
    supportsForUpdate: false,
    readJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
    classifyError: classifySqliteError,
    migrationTableSchema: () => Promise.resolve(undefined),
    attributeExpression: (name) => sql`json_extract(attributes, ${sql.lit(jsonPath(name))})`,
    attributeIndex: (index, type, name) =>
      sql`create index if not exists ${sql.id(index)} on resource (type, json_extract(attributes, ${sql.lit(jsonPath(name))})) where type = ${sql.lit(type)}`,
    withoutAttribute: (name) => sql`json_remove(attributes, ${sql.lit(jsonPath(name))})`,
    withAttribute: (name, json) =>
      sql`json_set(attributes, ${sql.lit(jsonPath(name))}, json(${json}))`,
    booleanParameter: (value) => (value ? 1 : 0),
    // NOTE: analysis_limit bounds the rows ANALYZE reads per index, so this stays a few ms.
    refreshStatistics: async (db) => {
      await sql`pragma analysis_limit = 1000`.execute(db);
      await sql`analyze resource`.execute(db);
    },
  };
}

/** The JSON path of a top-level key (attribute names hold no quote, see `resource/`). */
function jsonPath(name: string): string {
  return `$."${name}"`;
}

function openDatabase(path: string): Database.Database {
  try {
    if (path !== SQLITE_MEMORY_PATH) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    useWriteAheadLog(db);
    db.pragma('foreign_keys = ON');
    // NOTE: LIKE in searches is case-sensitive, as on PostgreSQL.
    db.pragma('case_sensitive_like = ON');
    return db;
  } catch (error) {
    throw new IndexerUnavailableError('sqlite', { cause: error });
  }
}

/** The database as Kysely uses it, preparing each SQL text once (the oldest is dropped first). */
export function withStatementCache(db: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare: (sql) => {
      const kept = statements.get(sql);
      if (kept !== undefined) return kept;
      const statement = db.prepare(sql);
      if (statements.size >= MAX_CACHED_STATEMENTS) {
        statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/**
 * Switches the file to WAL, which persists in the file, so only the first opening of a new file
 * pays for it. NOTE: processes opening a new file at once (concurrent `orzo upgrade`s) race for
 * the switch, and SQLite answers SQLITE_BUSY there without consulting the busy handler; the switch
 * is retried with a growing pause, within the busy timeout. An in-memory database answers
 * `memory` and stays so, which is fine.
 */
function useWriteAheadLog(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 200)) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'SQLITE_BUSY' || Date.now() + pauseMs > deadline) throw error;
      // NOTE: opening is synchronous in better-sqlite3 anyway; a short blocking pause is the same.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    }
  }
}

/** Error codes of better-sqlite3 (extended result codes) and of the file system at open. */
function classifySqliteError(error: unknown): DriverErrorKind | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return 'unique-violation';
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key-violation';
  if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|PROTOCOL)/.test(code)) return 'unavailable';
  return undefined;
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  // NOTE: with this, Kysely's migrator runs every pending migration in one transaction, which our
  // driver begins IMMEDIATE: a second process upgrading the same file waits, then finds nothing
  // left to do, instead of running the same DDL twice.
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
