import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createIndexer } from '../../src/indexer/index.ts';
import { runIndexerSuite } from './indexer.suite.ts';

runIndexerSuite('sqlite file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'orzo-indexer-'));
  // NOTE: a folder that does not exist yet, which the indexer must create.
  const url = `sqlite://${join(dir, 'data', 'index.db')}`;
  const indexer = createIndexer(url);
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
  const indexer = createIndexer('sqlite::memory:');
  return Promise.resolve({ indexer, cleanup: () => indexer.close() });
});
