/**
 * Isolation on the shared PostgreSQL test server: every test run (or benchmark) works in a schema
 * of its own with a random name, reached through a connection URL whose `search_path` names it,
 * and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';

/** The shared test server (`ORZO_TEST_POSTGRESQL_URL` to use another). */
export const TEST_POSTGRESQL_URL =
  process.env.ORZO_TEST_POSTGRESQL_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** What the helpers need of a `pg` client or pool. */
export interface Queryable {
  query(text: string): Promise<unknown>;
}

/** A schema made for one test. */
export interface TestSchema {
  readonly schema: string;
  /** `serverUrl` confined to the schema. */
  readonly url: string;
}

/** Creates a schema named `<prefix>_<random hex>` and the URL of connections confined to it. */
export async function createTestSchema(
  admin: Queryable,
  prefix: string,
  serverUrl: string = TEST_POSTGRESQL_URL,
): Promise<TestSchema> {
  const schema = `${prefix}_${randomBytes(8).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: url.toString() };
}

/** Drops a schema made by {@link createTestSchema}, with everything in it. */
export async function dropTestSchema(admin: Queryable, schema: string): Promise<void> {
  await admin.query(`drop schema if exists ${schema} cascade`);
}
