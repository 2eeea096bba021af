import { parseIndexerUrl } from '../../src/config/index.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import { createIndexer, type Indexer } from '../../src/indexer/index.ts';
import { createTestSchema, dropTestSchema, TEST_POSTGRESQL_URL } from '../support/postgresql.ts';
import { runIndexerSuite } from './indexer.suite.ts';
import { testPolicy } from './suite/harness.ts';

/** The shared test server; every test gets its own schema there, dropped afterwards. */
const admin = new pg.Pool({ connectionString: TEST_POSTGRESQL_URL, max: 2 });
before(() => admin.query('select 1'));
after(() => admin.end());

const createSchema = () => createTestSchema(admin, 'orzo_test');
const dropSchema = (schema: string) => dropTestSchema(admin, schema);

runIndexerSuite('postgresql', async () => {
  const { schema, url } = await createSchema();
  const indexer = createIndexer(parseIndexerUrl(url));
  return {
    indexer,
    sharedUrl: url,
    cleanup: async () => {
      await indexer.close();
      await dropSchema(schema);
    },
  };
});

describe('postgresql schemas', () => {
  it("ignores other schemas' tables, bookkeeping and locks", async () => {
    // NOTE: what a crashed run of another version could leave behind: its own migrations table
    // naming a migration unknown here, a held migration lock row, and the indexer's tables.
    const leftover = await createSchema();
    const fresh = await createSchema();
    let indexer: Indexer | undefined;
    try {
      await admin.query(`
        create table ${leftover.schema}.orzo_migration (name varchar(255) primary key, timestamp varchar(255) not null);
        insert into ${leftover.schema}.orzo_migration values ('9999_from_the_future', '2030-01-01T00:00:00Z');
        create table ${leftover.schema}.orzo_migration_lock (id varchar(255) primary key, is_locked integer not null default 0);
        insert into ${leftover.schema}.orzo_migration_lock values ('migration_lock', 1);
        create table ${leftover.schema}.archive_policy (name text primary key);
      `);
      indexer = createIndexer(parseIndexerUrl(fresh.url));
      await indexer.upgrade();
      await indexer.createArchivePolicy(testPolicy('here'));
      assert.deepEqual(await indexer.listArchivePolicies(), [testPolicy('here')]);
      const { rows } = await admin.query<{ name: string }>(
        `select name from ${fresh.schema}.orzo_migration order by name`,
      );
      assert.deepEqual(
        rows.map((row) => row.name),
        [
          '0001_create_archive_policy_rule_metric',
          '0002_create_resource_type_resource_history',
          '0003_create_api_user_token',
          '0004_create_subhealth_group_finding',
        ],
      );
    } finally {
      await indexer?.close();
      await dropSchema(leftover.schema);
      await dropSchema(fresh.schema);
    }
  });
});
