import { parseIndexerUrl } from '../../src/config/index.ts';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { createIndexer } from '../../src/indexer/index.ts';
import { MAX_CACHED_STATEMENTS, withStatementCache } from '../../src/indexer/sqlite-dialect.ts';
import { runIndexerSuite } from './indexer.suite.ts';

runIndexerSuite('sqlite file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'orzo-indexer-'));
  // NOTE: a folder that does not exist yet, which the indexer must create.
  const url = `sqlite://${join(dir, 'data', 'index.db')}`;
  const indexer = createIndexer(parseIndexerUrl(url));
  return {
    indexer,
    sharedUrl: url,
    cleanup: async () => {
      await indexer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

runIndexerSuite('sqlite in memory', () => {
  const indexer = createIndexer(parseIndexerUrl('sqlite::memory:'));
  return Promise.resolve({ indexer, cleanup: () => indexer.close() });
});

describe('the SQLite statement cache', () => {
  it('prepares each SQL text once and drops the oldest statement when full', () => {
    const db = new Database(':memory:');
    const cached = withStatementCache(db);
    try {
      const first = cached.prepare('select 0');
      assert.equal(cached.prepare('select 0'), first);
      for (let i = 1; i <= MAX_CACHED_STATEMENTS; i++) cached.prepare(`select ${i}`);
      assert.notEqual(cached.prepare('select 0'), first);
      assert.equal(cached.prepare(`select ${MAX_CACHED_STATEMENTS}`).all([]).length, 1);
    } finally {
      cached.close();
    }
  });

  it('answers with a kept statement after another connection changed the schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orzo-indexer-'));
    const path = join(dir, 'index.db');
    const cached = withStatementCache(new Database(path));
    const other = new Database(path);
    try {
      other.exec('create table t (a integer); insert into t values (1)');
      assert.deepEqual(cached.prepare('select * from t').all([]), [{ a: 1 }]);
      other.exec("alter table t add column b text default 'x'");
      assert.deepEqual(cached.prepare('select * from t').all([]), [{ a: 1, b: 'x' }]);
    } finally {
      other.close();
      cached.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
