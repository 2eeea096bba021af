/**
 * `npm run bench:api`: metric creations per second and GET metric latency through real HTTP on
 * loopback against `orzo api` running in its own process (logging requests, as it does by
 * default), on the SQLite indexer (the embedded default) and on PostgreSQL (a schema of its own,
 * dropped afterwards); the server's log goes to $TMPDIR/orzo-bench-api.log. Prints one JSON object.
 *
 * Options: `--creations N` (default 5000), `--reads N` (default 20000), `--concurrency N`
 * (default 8), `--postgresql URL` (default the local test server).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { startOrzo } from '../test/support/orzo-process.ts';
import { createTestSchema, dropTestSchema } from '../test/support/postgresql.ts';
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
const LOG_FILE = join(tmpdir(), 'orzo-bench-api.log');
const ADMIN = { authorization: `Basic ${Buffer.from('admin:').toString('base64')}` };

/** Runs the load against `orzo api` in its own process, as users run it. */
async function measure(flags: readonly string[]): Promise<Record<string, unknown>> {
  const orzo = await startOrzo('api', ['--auth', 'basic', ...flags], { logFile: LOG_FILE });
  try {
    const body = JSON.stringify({ archive_policy_name: 'low', unit: 'W' });
    const creations = await runLoad({
      baseUrl: orzo.url,
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
    const listed = await fetch(`${orzo.url}/v1/metric?limit=1000`, { headers: ADMIN });
    const ids = ((await listed.json()) as { id: string }[]).map((metric) => metric.id);
    const reads = await runLoad({
      baseUrl: orzo.url,
      total: READS,
      concurrency: CONCURRENCY,
      expectStatus: 200,
      next: (i) => ({ method: 'GET', path: `/v1/metric/${ids[i % ids.length]}`, headers: ADMIN }),
    });
    return { metric_creations: creations, get_metric: reads };
  } finally {
    await orzo.stop();
  }
}

async function onPostgresql(serverUrl: string): Promise<Record<string, unknown>> {
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  const { schema, url } = await createTestSchema(admin, 'orzo_bench', serverUrl);
  try {
    return await measure(['--indexer', url]);
  } finally {
    await dropTestSchema(admin, schema);
    await admin.end();
  }
}

const figures = {
  node: process.version,
  concurrency: CONCURRENCY,
  sqlite: await measure([]),
  postgresql: await onPostgresql(flags.postgresql),
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
