/**
 * What differs between the indexer's SQL backends, kept to this one small interface so that the
 * queries themselves are written once (`kysely-indexer.ts`) and each backend (`sqlite-dialect.ts`,
 * `postgresql-dialect.ts`) supplies only its pieces.
 *
 * What is deliberately not here: `NULLS FIRST`/`NULLS LAST` and `RETURNING` are spelt the same on
 * both backends (SQLite has had them since 3.30 and 3.35), so they are not dialect pieces.
 */
import type { ColumnDataType, Dialect, Expression, Kysely, RawBuilder } from 'kysely';

import type { IndexerTables } from './indexer-tables.ts';

/** A column type: one of Kysely's names, or raw SQL such as `text collate "C"`. */
export type ColumnTypeExpression = ColumnDataType | Expression<unknown>;

/** The backends the indexer runs on. */
export type IndexerBackend = 'sqlite' | 'postgresql';

/** How a driver error is to be understood; undefined for anything else (a bug, a bad query). */
export type DriverErrorKind = 'unique-violation' | 'foreign-key-violation' | 'unavailable';

/**
 * How an attribute's stored JSON value is compared and sorted: as text (strings, UUIDs), as a
 * number (numbers, datetimes in microseconds) or as a boolean.
 */
export type AttributeKind = 'text' | 'number' | 'bool';

/** The per-backend pieces of the indexer. */
export interface SqlDialect {
  readonly backend: IndexerBackend;
  /** Builds the Kysely dialect; the indexer's `close()` releases what it opens. */
  readonly kyselyDialect: Dialect;
  /**
   * The type of text columns that are compared and sorted, chosen so that both backends order by
   * code point (SQLite's BINARY; PostgreSQL's `"C"` collation rather than the database's locale),
   * which keeps keyset pagination and listings the same everywhere.
   */
  readonly textType: ColumnTypeExpression;
  /** The type of JSON document columns. */
  readonly jsonType: ColumnTypeExpression;
  /** The type of 64-bit integer columns. */
  readonly bigintType: ColumnTypeExpression;
  /**
   * Whether `SELECT … FOR UPDATE` exists. SQLite has no row locks, and needs none: its write
   * transactions start `IMMEDIATE`, so they are serialised from their first statement.
   */
  readonly supportsForUpdate: boolean;
  /** A JSON column's value as read from the driver, parsed. */
  readJson(value: unknown): unknown;
  /** Classifies a driver error, so that the indexer can turn it into a domain error. */
  classifyError(error: unknown): DriverErrorKind | undefined;
  /**
   * The schema the migration bookkeeping tables live in, or undefined for the default one.
   * PostgreSQL names the schema explicitly because Kysely would otherwise find the bookkeeping
   * tables of any schema of the database and take them for its own.
   */
  migrationTableSchema(db: Kysely<IndexerTables>): Promise<string | undefined>;
  /**
   * The SQL expression of a resource attribute held in the `attributes` JSON column, for
   * conditions, sorts and the index of `attributeIndex`; the same text in all three, so that the
   * planner matches the index. It never fails on a value of another kind (which another type's
   * attribute of the same name may hold): it is NULL then.
   */
  attributeExpression(name: string, kind: AttributeKind): RawBuilder<unknown>;
  /** DDL creating the index of one attribute of one type on `resource`. */
  attributeIndex(
    index: string,
    type: string,
    name: string,
    kind: AttributeKind,
  ): RawBuilder<unknown>;
  /** `attributes` without the key `name`, for an update. */
  withoutAttribute(name: string): RawBuilder<unknown>;
  /** `attributes` with `name` set to the JSON text `json`, for an update. */
  withAttribute(name: string, json: string): RawBuilder<unknown>;
  /**
   * Refreshes the planner's statistics of `resource`, so that it picks an attribute's index over a
   * scan in sort order. SQLite keeps none until asked (a bounded `ANALYZE`); PostgreSQL's
   * autovacuum keeps them.
   */
  refreshStatistics(db: Kysely<IndexerTables>): Promise<void>;
  /** A boolean as a query parameter (SQLite has no boolean type: 1 or 0). */
  booleanParameter(value: boolean): unknown;
}
