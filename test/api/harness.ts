/**
 * The API under test on a real indexer: SQLite in memory by default, or PostgreSQL in a schema of
 * its own (dropped afterwards) on the shared test server, as the indexer's own tests do.
 */
import { parseIndexerUrl } from '../../src/config/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { buildApp, type ApiDeps, type OrzoApp } from '../../src/api/index.ts';
import { resolveConfig, type OpsConfig } from '../../src/config/index.ts';
import { createIndexer, type Indexer } from '../../src/indexer/index.ts';
import { Incoming, createIncomingDriver } from '../../src/ingest/index.ts';
import type { Logger } from '../../src/log/logger.ts';
import { OpTracker } from '../../src/optracker/index.ts';
import { Storage, createStorageDriver } from '../../src/storage/index.ts';
import { createTestSchema, dropTestSchema, TEST_POSTGRESQL_URL } from '../support/postgresql.ts';

/** `Authorization` of user `admin` (role admin), as in Gnocchi's functional tests. */
export const ADMIN = 'basic YWRtaW46';
/** `Authorization` of user `foobar`. */
export const FOOBAR = 'basic Zm9vYmFyOg==';
/** `Authorization` of user `foobaz`. */
export const FOOBAZ = 'basic Zm9vYmF6Og==';
/** `Authorization` of user `jd`. */
export const JD = 'basic amQ6';

/** The indexer backends the API is tested on. */
export type Backend = 'sqlite' | 'postgresql';

/** A running API and the indexer behind it. */
export interface TestApi {
  readonly app: OrzoApp;
  readonly indexer: Indexer;
  /** The incoming store the API writes measures to (files in a temp folder). */
  readonly incoming: Incoming;
  /** The aggregates the API reads (files in a temp folder). */
  readonly storage: Storage;
  /** The API's op tracker; its slow-op check is not started (tests call `checkSlowOps`). */
  readonly tracker: OpTracker;
  close(): Promise<void>;
}

/** Sacks of the test's incoming store: few, so that tests see several metrics share one. */
export const INCOMING_SACKS = 4;

/** How {@link startApi} builds the API. */
export interface StartApiOptions {
  /** Settings of `config.api` over the defaults; `maxLimit` is 7 as in Gnocchi's tests. */
  readonly api?: Readonly<Record<string, unknown>>;
  readonly backend?: Backend;
  readonly logger?: ApiDeps['logger'];
  /** Processing on demand for `refresh=true`. @defaultValue none: such reads are plain reads */
  readonly refresh?: ApiDeps['refresh'];
  /** The API's clock. @defaultValue the real one */
  readonly now?: ApiDeps['now'];
  /** Settings of `config.ops` over the defaults. */
  readonly ops?: Partial<OpsConfig>;
  /** The op tracker's clock (ms since the epoch). @defaultValue the real one */
  readonly opsNow?: () => number;
  /** Where the slow-op warnings go. @defaultValue nowhere */
  readonly opsLogger?: Pick<Logger, 'warn'>;
  /** Where metricd's status is read. @defaultValue none */
  readonly statusBoard?: ApiDeps['statusBoard'];
  readonly hostNowBoard?: ApiDeps['hostNowBoard'];
  /** metricd's op dumps. @defaultValue none */
  readonly metricdOps?: ApiDeps['metricdOps'];
}

/** Builds the API on a fresh, migrated indexer. */
export async function startApi(options: StartApiOptions = {}): Promise<TestApi> {
  const config = resolveConfig([{ api: { maxLimit: 7, ...options.api }, ops: options.ops ?? {} }]);
  const { indexer, cleanup } = await openIndexer(options.backend ?? 'sqlite');
  await indexer.upgrade();
  const incomingDir = mkdtempSync(join(tmpdir(), 'orzo-api-incoming-'));
  const incoming = new Incoming(
    createIncomingDriver({ driver: 'file', basePath: incomingDir, fsync: false }),
  );
  await incoming.upgrade(INCOMING_SACKS);
  const storageDir = mkdtempSync(join(tmpdir(), 'orzo-api-storage-'));
  const storage = new Storage(
    createStorageDriver({ driver: 'file', basePath: storageDir, fsync: false }),
  );
  await storage.init();
  const tracker = new OpTracker({
    config: config.ops,
    logger: options.opsLogger ?? { warn: () => undefined },
    ...(options.opsNow === undefined ? {} : { now: options.opsNow }),
  });
  const app = buildApp({
    indexer,
    incoming,
    storage,
    tracker,
    config,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.refresh === undefined ? {} : { refresh: options.refresh }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.statusBoard === undefined ? {} : { statusBoard: options.statusBoard }),
    ...(options.hostNowBoard === undefined ? {} : { hostNowBoard: options.hostNowBoard }),
    ...(options.metricdOps === undefined ? {} : { metricdOps: options.metricdOps }),
  });
  await app.ready();
  return {
    app,
    indexer,
    incoming,
    storage,
    tracker,
    close: async () => {
      await app.close();
      await tracker.close();
      await incoming.driver.close();
      await storage.driver.close();
      rmSync(incomingDir, { recursive: true, force: true });
      rmSync(storageDir, { recursive: true, force: true });
      await cleanup();
    },
  };
}

async function openIndexer(
  backend: Backend,
): Promise<{ indexer: Indexer; cleanup: () => Promise<void> }> {
  if (backend === 'sqlite') {
    const indexer = createIndexer(parseIndexerUrl('sqlite::memory:'));
    return { indexer, cleanup: () => indexer.close() };
  }
  const admin = new pg.Client({
    connectionString: TEST_POSTGRESQL_URL,
    connectionTimeoutMillis: 10_000,
  });
  await admin.connect();
  const { schema, url } = await createTestSchema(admin, 'orzo_api_test');
  const indexer = createIndexer(parseIndexerUrl(url));
  return {
    indexer,
    cleanup: async () => {
      await indexer.close();
      await dropTestSchema(admin, schema);
      await admin.end();
    },
  };
}

/**
 * Creates the policy `p` (1 s × 1000 points) and a rule giving it to every new metric, as the
 * protocol tests need: their metrics are made on the fly, by rule.
 */
export async function createCatchAllPolicy(api: Pick<TestApi, 'app'>): Promise<void> {
  for (const [url, payload] of [
    ['/v1/archive_policy', { name: 'p', definition: [{ granularity: 1, points: 1000 }] }],
    ['/v1/archive_policy_rule', { name: 'all', metric_pattern: '*', archive_policy_name: 'p' }],
  ] as const) {
    const response = await api.app.inject({
      method: 'POST',
      url,
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      payload,
    });
    if (response.statusCode !== 201) throw new Error(`${url}: ${response.body}`);
  }
}
