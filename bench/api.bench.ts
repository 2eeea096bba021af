/**
 * `npm run bench:api`: metric creations per second and GET metric latency through real HTTP on
 * loopback, on the SQLite indexer (a file, as `orzo api` uses it) and on PostgreSQL (a schema of
 * its own, dropped afterwards). Prints one JSON object.
 *
 * Options: `--creations N` (default 5000), `--reads N` (default 20000), `--concurrency N`
 * (default 8), `--postgresql URL` (default the local test server).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { buildApp } from '../src/api/index.ts';
import { resolveConfig } from '../src/config.ts';
import { createIndexer, upgradeIndexer, type Indexer } from '../src/indexer/index.ts';
import { runLoad } from './http-load.ts';

const { values: flags } = parseArgs({
  options: {
    creations: { type: 'string', default: '5000' },
    reads: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
    postgresql: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/test' },
  },
});
const CREATIONS = Number(flags.creations);
const READS = Number(flags.reads);
const CONCURRENCY = Number(flags.concurrency);
const ADMIN = { authorization: `Basic ${Buffer.from('admin:').toString('base64')}` };
const config = resolveConfig([{ api: { auth: 'basic' } }]);

async function measure(indexer: Indexer): Promise<Record<string, unknown>> {
  await upgradeIndexer(indexer, {
    createDefaultArchivePolicies: true,
    defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods,
  });
  const app = buildApp({ indexer, config, logger: false });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const ids: string[] = [];
  try {
    const body = JSON.stringify({ archive_policy_name: 'low', unit: 'W' });
    const creations = await runLoad({
      baseUrl,
      total: CREATIONS,
      concurrency: CONCURRENCY,
      expectStatus: 201,
      next: () => ({
        method: 'POST',
        path: '/v1/metric',
        body,
        headers: { ...ADMIN, 'content-type': 'application/json' },
      }),
    });
    for (const metric of await indexer.listMetrics({ limit: 1000 })) ids.push(metric.id);
    const reads = await runLoad({
      baseUrl,
      total: READS,
      concurrency: CONCURRENCY,
      expectStatus: 200,
      next: (i) => ({ method: 'GET', path: `/v1/metric/${ids[i % ids.length]}`, headers: ADMIN }),
    });
    return { metric_creations: creations, get_metric: reads };
  } finally {
    await app.close();
    await indexer.close();
  }
}

async function onSqlite(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'orzo-bench-api-'));
  try {
    return await measure(createIndexer(`sqlite://${join(dir, 'index.db')}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgresql(serverUrl: string): Promise<Record<string, unknown>> {
  const schema = `orzo_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`create schema ${schema}`);
  try {
    const url = new URL(serverUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return await measure(createIndexer(url.toString()));
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

const figures = {
  node: process.version,
  concurrency: CONCURRENCY,
  sqlite: await onSqlite(),
  postgresql: await onPostgresql(flags.postgresql),
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
