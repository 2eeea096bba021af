import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { ConfigError } from '../../src/errors/index.ts';
import { parseIndexerUrl } from '../../src/config/index.ts';
import { createIndexer, IndexerUnavailableError } from '../../src/indexer/index.ts';
import { TEST_POSTGRESQL_URL } from '../support/postgresql.ts';
import { testPolicy } from './suite/harness.ts';

describe('createIndexer on SQLite', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orzo-create-indexer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the folder on first use, in WAL mode, and keeps data across indexers', async () => {
    const path = join(dir, 'a', 'b', 'index.db');
    const first = createIndexer(parseIndexerUrl(`sqlite://${path}`));
    assert.equal(existsSync(join(dir, 'a')), false);
    await first.upgrade();
    await first.createArchivePolicy(testPolicy('kept'));
    await first.close();
    const second = createIndexer(parseIndexerUrl(`sqlite://${path}`));
    try {
      assert.deepEqual(await second.getArchivePolicy('kept'), testPolicy('kept'));
    } finally {
      await second.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  it('reports a file it cannot open as unavailable', async () => {
    await writeFile(join(dir, 'file'), '');
    const indexer = createIndexer(parseIndexerUrl(`sqlite://${join(dir, 'file', 'index.db')}`));
    try {
      await assert.rejects(indexer.upgrade(), {
        name: IndexerUnavailableError.name,
        code: 'INDEXER_UNAVAILABLE',
        backend: 'sqlite',
      });
    } finally {
      await indexer.close();
    }
  });
});

describe('createIndexer on PostgreSQL', () => {
  it('reports a server it cannot reach as unavailable', async () => {
    const indexer = createIndexer(parseIndexerUrl('postgresql://postgres@127.0.0.1:1/test'));
    try {
      await assert.rejects(indexer.upgrade(), {
        name: IndexerUnavailableError.name,
        code: 'INDEXER_UNAVAILABLE',
        backend: 'postgresql',
      });
    } finally {
      await indexer.close();
    }
  });

  it('refuses a search_path that names no existing schema', async () => {
    const url = new URL(TEST_POSTGRESQL_URL);
    url.searchParams.set(
      'options',
      `-c search_path=orzo_missing_${randomBytes(8).toString('hex')}`,
    );
    const indexer = createIndexer(parseIndexerUrl(url.toString()));
    try {
      await assert.rejects(indexer.upgrade(), {
        name: ConfigError.name,
        path: 'indexerUrl',
        message: 'the PostgreSQL search_path names no existing schema',
      });
    } finally {
      await indexer.close();
    }
  });
});
