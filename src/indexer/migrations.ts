/**
 * The indexer's schema, as versioned migrations run by Kysely's migrator.
 *
 * Migrations are named `NNNN_what` and applied in name order; a migration, once released, never
 * changes (a new one is added instead). Each is a function of the dialect only for column types.
 * Kysely records what ran in `orzo_migration` and serialises concurrent upgrades: on PostgreSQL
 * through a session advisory lock taken before it reads that table, with every pending migration
 * in one transaction; on SQLite through the `IMMEDIATE` transaction of `sqlite-dialect.ts`. A
 * second process upgrading at the same time therefore waits, then finds nothing left to do.
 */
import { Migrator, sql, type Kysely, type Migration } from 'kysely';

import { ConfigError } from '../errors/config-error.ts';
import type { IndexerTables } from './indexer-tables.ts';
import type { SqlDialect } from './sql-dialect.ts';

/** Names of Kysely's bookkeeping tables, prefixed because the database may be shared. */
const MIGRATION_TABLE = 'orzo_migration';
const MIGRATION_LOCK_TABLE = 'orzo_migration_lock';

/** Fills a schema being created, in the transaction that creates it. */
export type OnSchemaCreated = (db: Kysely<IndexerTables>) => Promise<void>;

/**
 * Every migration of the indexer, by name. `onCreate` runs at the end of the first one, so only
 * on an index being created; its rows do not change the schema the migration makes.
 */
export function indexerMigrations(
  dialect: SqlDialect,
  onCreate?: OnSchemaCreated,
): Readonly<Record<string, Migration>> {
  return {
    '0001_create_archive_policy_rule_metric': {
      up: async (db) => {
        await createArchivePolicyTables(db, dialect);
        await createMetricTable(db, dialect);
        await createIndexes(db);
        await onCreate?.(db as Kysely<IndexerTables>);
      },
    },
    '0002_create_resource_type_resource_history': {
      up: async (db) => {
        await createResourceTables(db, dialect);
      },
    },
    '0003_create_api_user_token': {
      up: async (db) => {
        await createAccountTables(db, dialect);
      },
    },
    '0004_create_subhealth_group_finding': {
      up: async (db) => {
        await createSubhealthTables(db, dialect);
      },
    },
  };
}

/**
 * Applies every pending migration, all in one transaction; idempotent, and safe when several
 * processes run it at once. Returns whether this call created the schema (ran the first migration).
 */
export async function migrateToLatest(
  db: Kysely<IndexerTables>,
  dialect: SqlDialect,
  onCreate?: OnSchemaCreated,
): Promise<boolean> {
  const schema = await dialect.migrationTableSchema(db);
  if (dialect.backend === 'postgresql' && schema === undefined) {
    throw new ConfigError('the PostgreSQL search_path names no existing schema', {
      path: 'indexerUrl',
    });
  }
  const migrations = indexerMigrations(dialect, onCreate);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error === undefined) {
    const first = Object.keys(migrations)[0];
    return results.some((result) => result.migrationName === first && result.status === 'Success');
  }
  throw error instanceof Error ? error : new Error('indexer migration failed', { cause: error });
}

async function createArchivePolicyTables(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const { textType: text, jsonType: json } = dialect;
  await db.schema
    .createTable('archive_policy')
    .addColumn('name', text, (col) => col.primaryKey().notNull())
    .addColumn('back_window', 'integer', (col) => col.notNull())
    .addColumn('definition', json, (col) => col.notNull())
    .addColumn('aggregation_methods', json, (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('archive_policy_rule')
    .addColumn('name', text, (col) => col.primaryKey().notNull())
    .addColumn('metric_pattern', text, (col) => col.notNull())
    .addColumn('archive_policy_name', text, (col) => col.notNull())
    // NOTE: foreign keys keep the default NO ACTION, which refuses to delete a policy in use just
    // as RESTRICT would, but which SQLite reports as a foreign-key error (RESTRICT: a trigger one).
    .addForeignKeyConstraint('fk_apr_ap_name_ap_name', ['archive_policy_name'], 'archive_policy', [
      'name',
    ])
    .execute();
}

async function createMetricTable(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const { textType: text, bigintType: bigint } = dialect;
  await db.schema
    .createTable('metric')
    .addColumn('id', text, (col) => col.primaryKey().notNull())
    .addColumn('archive_policy_name', text, (col) => col.notNull())
    .addColumn('creator', text, (col) => col.notNull())
    .addColumn('resource_id', text)
    .addColumn('name', text)
    .addColumn('unit', text)
    .addColumn('status', text, (col) => col.notNull())
    .addColumn('created_at', bigint, (col) => col.notNull())
    .addForeignKeyConstraint(
      'fk_metric_ap_name_ap_name',
      ['archive_policy_name'],
      'archive_policy',
      ['name'],
    )
    // NOTE: Gnocchi's rule: a name is unique per resource. NULLs are distinct in a unique
    // constraint on both backends, so metrics without a resource (or a name) are not constrained.
    .addUniqueConstraint('uq_metric_resource_id_name', ['resource_id', 'name'])
    .addCheckConstraint('ck_metric_status', sql`status in ('active', 'delete')`)
    .execute();
}

/** Indexes for foreign-key checks on policy deletion, the listing filters, and the janitor. */
async function createIndexes(db: Kysely<unknown>): Promise<void> {
  const indexes: readonly (readonly [string, string, readonly string[]])[] = [
    ['ix_apr_archive_policy_name', 'archive_policy_rule', ['archive_policy_name']],
    ['ix_metric_archive_policy_name', 'metric', ['archive_policy_name']],
    ['ix_metric_status_created_at', 'metric', ['status', 'created_at']],
    ['ix_metric_creator', 'metric', ['creator']],
    ['ix_metric_name', 'metric', ['name']],
    ['ix_metric_unit', 'metric', ['unit']],
  ];
  for (const [name, table, columns] of indexes) {
    await db.schema
      .createIndex(name)
      .on(table)
      .columns([...columns])
      .execute();
  }
}

/** Resource types (with `generic`), resources and their history, and what searches filter on. */
async function createResourceTables(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const { textType: text, jsonType: json, bigintType: bigint } = dialect;
  await db.schema
    .createTable('resource_type')
    .addColumn('name', text, (col) => col.primaryKey().notNull())
    .addColumn('attributes', json, (col) => col.notNull())
    .addColumn('state', text, (col) => col.notNull())
    .execute();
  await db
    .insertInto('resource_type' as never)
    .values({ name: 'generic', attributes: '{}', state: 'active' })
    .execute();
  for (const table of ['resource', 'resource_history'] as const) {
    let create = db.schema
      .createTable(table)
      .addColumn('id', text, (col) => col.notNull())
      .addColumn('type', text, (col) => col.notNull())
      .addColumn('original_resource_id', text, (col) => col.notNull())
      .addColumn('creator', text, (col) => col.notNull())
      .addColumn('user_id', text)
      .addColumn('project_id', text)
      .addColumn('started_at', bigint, (col) => col.notNull())
      .addColumn('ended_at', bigint)
      .addColumn('revision', bigint, (col) => col.notNull())
      .addColumn('revision_start', bigint, (col) => col.notNull())
      .addColumn('attributes', json, (col) => col.notNull());
    create =
      table === 'resource'
        ? create
            .addPrimaryKeyConstraint('pk_resource', ['id'])
            .addForeignKeyConstraint('fk_resource_type_name', ['type'], 'resource_type', ['name'])
        : create
            .addColumn('revision_end', bigint, (col) => col.notNull())
            .addPrimaryKeyConstraint('pk_resource_history', ['id', 'revision']);
    await create.execute();
  }
  const indexes: readonly (readonly [string, string, readonly string[]])[] = [
    ['ix_resource_type', 'resource', ['type', 'id']],
    ['ix_resource_creator', 'resource', ['creator']],
    ['ix_resource_user_id', 'resource', ['user_id']],
    ['ix_resource_project_id', 'resource', ['project_id']],
    ['ix_resource_original_resource_id', 'resource', ['original_resource_id']],
    ['ix_resource_started_at', 'resource', ['started_at']],
    ['ix_resource_ended_at', 'resource', ['ended_at']],
    ['ix_resource_revision_start', 'resource', ['revision_start']],
    ['ix_resource_history_type', 'resource_history', ['type']],
    ['ix_metric_resource_id_status', 'metric', ['resource_id', 'status']],
  ];
  for (const [name, table, columns] of indexes) {
    await db.schema
      .createIndex(name)
      .on(table)
      .columns([...columns])
      .execute();
  }
}

/** Users and API tokens of the `verified` auth mode. */
async function createAccountTables(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const { textType: text, jsonType: json, bigintType: bigint } = dialect;
  await db.schema
    .createTable('api_user')
    .addColumn('name', text, (col) => col.primaryKey().notNull())
    .addColumn('password_hash', text, (col) => col.notNull())
    .addColumn('project_id', text)
    .addColumn('roles', json, (col) => col.notNull())
    .addColumn('created_at', bigint, (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('api_token')
    .addColumn('id', text, (col) => col.primaryKey().notNull())
    .addColumn('user_name', text, (col) => col.notNull())
    .addColumn('secret_hash', text, (col) => col.notNull())
    .addColumn('description', text)
    .addColumn('created_at', bigint, (col) => col.notNull())
    .addColumn('expires_at', bigint)
    .addForeignKeyConstraint('fk_api_token_user_name', ['user_name'], 'api_user', ['name'])
    .execute();
  await db.schema
    .createIndex('ix_api_token_user_name')
    .on('api_token')
    .column('user_name')
    .execute();
}

/** Sub-health groups' settings and findings. */
async function createSubhealthTables(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const { textType: text, jsonType: json, bigintType: bigint } = dialect;
  const double = sql`double precision`;
  await db.schema
    .createTable('subhealth_group')
    .addColumn('name', text, (col) => col.primaryKey().notNull())
    .addColumn('settings', json, (col) => col.notNull())
    .addColumn('updated_at', bigint, (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('subhealth_finding')
    .addColumn('ctime', bigint, (col) => col.notNull())
    .addColumn('cluster', text, (col) => col.notNull())
    .addColumn('check_time', bigint, (col) => col.notNull())
    .addColumn('host_id', text)
    .addColumn('host_name', text)
    .addColumn('inst_id', text, (col) => col.notNull())
    .addColumn('inst_name', text, (col) => col.notNull())
    .addColumn('waits', double, (col) => col.notNull())
    .addColumn('wait_share', double, (col) => col.notNull())
    .addColumn('load_share', double, (col) => col.notNull())
    .addColumn('excess', double, (col) => col.notNull())
    .addColumn('top_waits', json, (col) => col.notNull())
    .addColumn('dry_run', 'integer', (col) => col.notNull())
    // NOTE: the seed's key; dry-run rows are their own, so that a dry run beside a live one is kept.
    .addPrimaryKeyConstraint('pk_subhealth_finding', [
      'cluster',
      'dry_run',
      'inst_id',
      'check_time',
    ])
    .execute();
  await db.schema
    .createIndex('ix_subhealth_finding_check_time')
    .on('subhealth_finding')
    .columns(['cluster', 'dry_run', 'check_time'])
    .execute();
}
