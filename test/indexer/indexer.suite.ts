/**
 * The indexer conformance suite: every backend's test file calls {@link runIndexerSuite} with a
 * way to make a fresh, empty database, and the backend must pass all of it.
 */
import { describe } from 'node:test';

import { describeAccounts } from './suite/accounts.ts';
import { describeArchivePolicies } from './suite/archive-policies.ts';
import type { MakeIndexer } from './suite/harness.ts';
import { describeListMetrics } from './suite/list-metrics.ts';
import { describeMetrics } from './suite/metrics.ts';
import { describeResourceTypes } from './suite/resource-types.ts';
import { describeResources } from './suite/resources.ts';
import { describeSubhealth } from './suite/subhealth.ts';
import { describeUpgrade } from './suite/upgrade.ts';

export type { IndexerHarness, MakeIndexer } from './suite/harness.ts';

/** Runs the whole suite against indexers made by `makeIndexer` (one per test). */
export function runIndexerSuite(name: string, makeIndexer: MakeIndexer): void {
  describe(name, () => {
    describeUpgrade(makeIndexer);
    describeArchivePolicies(makeIndexer);
    describeMetrics(makeIndexer);
    describeListMetrics(makeIndexer);
    describeResourceTypes(makeIndexer);
    describeResources(makeIndexer);
    describeAccounts(makeIndexer);
    describeSubhealth(makeIndexer);
  });
}
