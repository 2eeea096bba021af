/**
 * `npm run bench:resources`: creates 100,000 resources of one type (rate), then times searches
 * that run in SQL, on SQLite (a file) and on PostgreSQL (a schema of its own, dropped after):
 * an equality on an indexed attribute, a `like` prefix on it, and an `and` of three conditions.
 * Searches return a page of 100 in the API's default order (`revision_start`, `started_at`).
 * Prints one JSON object per backend. `ORZO_BENCH_RESOURCES` changes the count.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { parseIndexerUrl } from '../src/config/index.ts';
import { parseJsonFilter } from '../src/grammar/index.ts';
import { createIndexer, RESOURCE_DEFAULT_SORTS, type Indexer } from '../src/indexer/index.ts';
import { parseResourceTypeInput } from '../src/resource/index.ts';
import {
  createTestSchema,
  dropTestSchema,
  TEST_POSTGRESQL_URL,
} from '../test/support/postgresql.ts';
import { mulberry32 } from '../test/support/mulberry32.ts';

const RESOURCES = Number(process.env.ORZO_BENCH_RESOURCES ?? 100_000);
const HOSTS = 1000;
const QUERIES = 300;
/** Concurrent creations, as several API requests would be. */
const CONCURRENCY = 8;

const INSTANCE = parseResourceTypeInput({
  name: 'instance',
  attributes: {
    host: { type: 'string' },
    flavor: { type: 'number' },
    zone: { type: 'string' },
  },
});

async function run(backend: string, indexer: Indexer): Promise<Record<string, unknown>> {
  await indexer.upgrade();
  await indexer.createResourceType(INSTANCE);
  const random = mulberry32(42);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < RESOURCES) {
      const i = next++;
      const id = randomUUID();
      await indexer.createResource({
        id,
        type: 'instance',
        originalResourceId: id,
        creator: `user-${i % 50}:project-${i % 10}`,
        userId: `user-${i % 50}`,
        projectId: `project-${i % 10}`,
        startedAt: 1_500_000_000_000_000 + i * 1_000_000,
        endedAt: null,
        attributes: {
          host: `compute-${String(i % HOSTS).padStart(4, '0')}`,
          flavor: Math.floor(random() * 8),
          zone: `zone-${i % 4}`,
        },
        metrics: {},
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const createSeconds = (performance.now() - started) / 1000;
  const host = () => `compute-${String(Math.floor(random() * HOSTS)).padStart(4, '0')}`;
  const shapes: Record<string, () => unknown> = {
    equality: () => ({ '=': { host: host() } }),
    like: () => ({ like: { host: `${host().slice(0, 11)}%` } }),
    and_of_three: () => ({
      and: [{ '=': { host: host() } }, { '>=': { flavor: 4 } }, { '=': { zone: 'zone-1' } }],
    }),
  };
  const searches: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const times: number[] = [];
    let rows = 0;
    for (let q = 0; q < QUERIES; q++) {
      const filter = parseJsonFilter(shape());
      const begin = performance.now();
      const found = await indexer.searchResources({
        type: 'instance',
        filter,
        limit: 100,
        sort: RESOURCE_DEFAULT_SORTS,
        now: 0,
      });
      times.push(performance.now() - begin);
      rows += found.length;
    }
    times.sort((a, b) => a - b);
    searches[name] = {
      p50_ms: round(times[Math.floor(times.length * 0.5)] ?? NaN),
      p99_ms: round(times[Math.floor(times.length * 0.99)] ?? NaN),
      mean_rows: round(rows / QUERIES),
    };
  }
  return {
    backend,
    resources: RESOURCES,
    create_per_second: Math.round(RESOURCES / createSeconds),
    searches,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'orzo-bench-resources-'));
const sqlite = createIndexer(parseIndexerUrl(`sqlite://${join(dir, 'index.db')}`));
try {
  console.log(JSON.stringify(await run('sqlite', sqlite)));
} finally {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}

const admin = new pg.Pool({ connectionString: TEST_POSTGRESQL_URL, max: 1 });
const { schema, url } = await createTestSchema(admin, 'orzo_bench');
const postgresql = createIndexer(parseIndexerUrl(url));
try {
  console.log(JSON.stringify(await run('postgresql', postgresql)));
} finally {
  await postgresql.close();
  await dropTestSchema(admin, schema);
  await admin.end();
}
