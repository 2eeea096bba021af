/**
 * Runs `upgradeIndexer` on the indexer URL given as the only argument, as `orzo upgrade` would in
 * its own process, and prints the result as JSON; the suite starts several at once.
 */
import { parseIndexerUrl } from '../../../src/config/index.ts';
import { createIndexer, upgradeIndexer } from '../../../src/indexer/index.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: upgrade-process.ts INDEXER_URL');
const indexer = createIndexer(parseIndexerUrl(url));
try {
  const result = await upgradeIndexer(indexer, {
    createDefaultArchivePolicies: 'when-empty',
    defaultAggregationMethods: ['mean', 'max'],
  });
  process.stdout.write(JSON.stringify(result));
} finally {
  await indexer.close();
}
