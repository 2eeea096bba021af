/**
 * The PostgreSQL pieces of the indexer, for deployments of several processes or hosts, through a
 * `pg` pool.
 *
 * The schema is whatever the connection's `search_path` names first (`public` by default; set it
 * with `?options=-c%20search_path%3Dmy_schema` in the URL). Sortable text columns use the `"C"`
 * collation so that PostgreSQL orders strings by code point, as SQLite and the engine do.
 */
import { PostgresDialect, sql, type Kysely, type RawBuilder } from 'kysely';
import pg from 'pg';

import type { IndexerTables } from './indexer-tables.ts';
import type { AttributeKind, DriverErrorKind, SqlDialect } from './sql-dialect.ts';

/** Milliseconds to wait for a connection before the indexer is reported unavailable. */
const CONNECTION_TIMEOUT_MS = 10_000;

/** Error codes of Node's sockets that mean the server cannot be reached. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** What `pg` says when it loses or cannot get a connection (it sets no code on these). */
const CONNECTION_LOST_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The PostgreSQL dialect for a `postgresql://` (or `postgres://`) connection string. */
export function createPostgresqlDialect(connectionString: string): SqlDialect {
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    application_name: 'orzo',
  });
  // NOTE: an idle client whose connection drops makes the pool emit `error`, which would crash
  // the process if nobody listened; the next query fails instead and is reported unavailable.
  pool.on('error', () => undefined);
  // NOTE: the pool listens only on idle clients. A checked-out one whose connection drops
  // between two queries (a server's fast shutdown sends its FATAL then) would emit `error` to
  // nobody and crash the process; instead its next query fails, reported unavailable, and the
  // pool drops it on release.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return {
    backend: 'postgresql',
    kyselyDialect: new PostgresDialect({ pool }),
    textType: sql`text collate "C"`,
    jsonType: 'jsonb',
    bigintType: 'bigint',
    supportsForUpdate: true,
    readJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
    classifyError: classifyPostgresqlError,
    migrationTableSchema: currentSchema,
    attributeExpression,
    attributeIndex: (index, type, name, kind) =>
      sql`create index if not exists ${sql.id(index)} on resource ((${attributeExpression(name, kind)})) where type = ${sql.lit(type)}`,
    withoutAttribute: (name) => sql`attributes - ${sql.lit(name)}`,
    withAttribute: (name, json) =>
      sql`jsonb_set(attributes, ${sql.lit(`{${name}}`)}, cast(${json} as jsonb))`,
    booleanParameter: (value) => value,
    // NOTE: autovacuum keeps the statistics. Analyzing on every doubling was measured worse
    // (bench:resources): with them, the planner walks revision_start's index in the listing's
    // order for an equality on a spread attribute, 48 ms at p50 instead of 1.7.
    refreshStatistics: () => Promise.resolve(),
  };
}

/**
 * Text compared by code point; numbers and booleans cast only when the JSON value is of that
 * kind, so that no row of another type (whose attribute of the same name may hold anything) can
 * make the cast fail.
 */
function attributeExpression(name: string, kind: AttributeKind): RawBuilder<unknown> {
  const key = sql.lit(name);
  switch (kind) {
    case 'text':
      return sql`((attributes ->> ${key}) collate "C")`;
    case 'number':
      return sql`(case when jsonb_typeof(attributes -> ${key}) = 'number' then (attributes ->> ${key})::double precision end)`;
    case 'bool':
      return sql`(case when jsonb_typeof(attributes -> ${key}) = 'boolean' then (attributes ->> ${key})::boolean end)`;
  }
}

async function currentSchema(db: Kysely<IndexerTables>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  return rows[0]?.schema ?? undefined;
}

/** SQLSTATE codes (class 08 connection, 53 resources, 57P operator intervention) and socket codes. */
function classifyPostgresqlError(error: unknown): DriverErrorKind | undefined {
  if (error instanceof AggregateError) {
    // NOTE: Node reports a failed connection to every address of a host as one AggregateError.
    return error.errors.some((inner) => classifyPostgresqlError(inner) === 'unavailable')
      ? 'unavailable'
      : undefined;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '23505') return 'unique-violation';
  if (code === '23503') return 'foreign-key-violation';
  if (typeof code === 'string' && (/^(08|53|57P)/.test(code) || NETWORK_ERROR_CODES.has(code))) {
    return 'unavailable';
  }
  if (error instanceof Error && CONNECTION_LOST_MESSAGE.test(error.message)) return 'unavailable';
  return undefined;
}
