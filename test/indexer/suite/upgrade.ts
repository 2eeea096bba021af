/** Conformance: schema upgrades and the default archive policies of `orzo upgrade`. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  DEFAULT_ARCHIVE_POLICY_RULE,
  defaultArchivePolicies,
} from '../../../src/archive-policy/index.ts';
import {
  upgradeIndexer,
  type Indexer,
  type UpgradeIndexerResult,
} from '../../../src/indexer/index.ts';
import { testPolicy, useIndexer, type MakeIndexer } from './harness.ts';

const UPGRADE_OPTIONS = {
  createDefaultArchivePolicies: 'when-empty',
  defaultAggregationMethods: ['mean', 'max'],
} as const;

/** Runs the upgrade part of the suite. */
export function describeUpgrade(makeIndexer: MakeIndexer): void {
  describe('upgrade', () => {
    const harness = useIndexer(makeIndexer, { upgrade: false });

    it('creates the schema, and running it again keeps the data', async () => {
      const { indexer } = harness();
      await indexer.upgrade();
      await indexer.createArchivePolicy(testPolicy('kept'));
      await indexer.upgrade();
      assert.deepEqual(await indexer.getArchivePolicy('kept'), testPolicy('kept'));
    });

    it('serialises upgrades started at the same time on one indexer', async () => {
      const { indexer } = harness();
      await Promise.all([indexer.upgrade(), indexer.upgrade(), indexer.upgrade()]);
      assert.deepEqual(await indexer.listArchivePolicies(), []);
    });

    it('serialises the upgrades of several processes on one database', async (t) => {
      const { indexer, sharedUrl } = harness();
      if (sharedUrl === undefined) {
        t.skip('this database cannot be shared between processes');
        return;
      }
      const outputs = await Promise.all(
        Array.from({ length: 3 }, () => runUpgradeProcess(sharedUrl)),
      );
      const results = outputs.map((output) => JSON.parse(output) as UpgradeIndexerResult);
      assert.ok(results.some((result) => result.createdDefaultArchivePolicies));
      await assertDefaults(indexer);
    });
  });

  describe('upgradeIndexer', () => {
    const harness = useIndexer(makeIndexer, { upgrade: false });

    it("creates Gnocchi's default policies and rule on an empty index", async () => {
      const { indexer } = harness();
      const result = await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      assert.equal(result.createdDefaultArchivePolicies, true);
      assert.equal(result.createdSchema, true);
      await assertDefaults(indexer);
    });

    it('creates them once: a second run changes nothing', async () => {
      const { indexer } = harness();
      await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      const result = await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      assert.equal(result.createdDefaultArchivePolicies, false);
      assert.equal(result.createdSchema, false);
      await assertDefaults(indexer);
    });

    it('creates them on a new index only, when asked so (orzo serve)', async () => {
      const { indexer } = harness();
      const options = { ...UPGRADE_OPTIONS, createDefaultArchivePolicies: 'when-created' } as const;
      // NOTE: an earlier `orzo upgrade --skip-archive-policies-creation` made the schema.
      assert.equal(await indexer.upgrade(), true);
      assert.equal(await indexer.upgrade(), false);
      assert.equal((await upgradeIndexer(indexer, options)).createdDefaultArchivePolicies, false);
      assert.deepEqual(await indexer.listArchivePolicies(), []);
    });

    it('creates them with the schema when asked so', async () => {
      const { indexer } = harness();
      const options = { ...UPGRADE_OPTIONS, createDefaultArchivePolicies: 'when-created' } as const;
      assert.equal((await upgradeIndexer(indexer, options)).createdDefaultArchivePolicies, true);
      await assertDefaults(indexer);
    });

    it('creates the schema and them in one transaction, so a run killed midway leaves neither', async () => {
      const { indexer } = harness();
      const orphanRule = { name: 'r', metricPattern: '*', archivePolicyName: 'missing' };
      // NOTE: the rule's missing policy fails the seed after the schema was made, as a kill would.
      await assert.rejects(indexer.upgrade({ policies: [testPolicy('one')], rules: [orphanRule] }));
      const options = { ...UPGRADE_OPTIONS, createDefaultArchivePolicies: 'when-created' } as const;
      const result = await upgradeIndexer(indexer, options);
      assert.deepEqual(result, { createdSchema: true, createdDefaultArchivePolicies: true });
      await assertDefaults(indexer);
    });

    it('creates none when a policy exists already', async () => {
      const { indexer } = harness();
      await indexer.upgrade();
      await indexer.createArchivePolicy(testPolicy('mine'));
      const result = await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      assert.equal(result.createdDefaultArchivePolicies, false);
      assert.deepEqual(await indexer.listArchivePolicies(), [testPolicy('mine')]);
      assert.deepEqual(await indexer.listArchivePolicyRules(), []);
    });

    it('does not bring back defaults deleted while a policy or rule remains', async () => {
      const { indexer } = harness();
      await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      for (const name of ['bool', 'medium', 'high']) await indexer.deleteArchivePolicy(name);
      await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      const names = (await indexer.listArchivePolicies()).map((policy) => policy.name);
      assert.deepEqual(names, ['low']);
    });

    it('seeds all or nothing, so that a run killed midway leaves an index the next run fills', async () => {
      const { indexer } = harness();
      await indexer.upgrade();
      const policies = [testPolicy('one'), testPolicy('two')];
      const orphanRule = { name: 'r', metricPattern: '*', archivePolicyName: 'missing' };
      await assert.rejects(indexer.seedArchivePolicies(policies, [orphanRule]), {
        name: 'ArchivePolicyNotFoundError',
      });
      assert.deepEqual(await indexer.listArchivePolicies(), []);
      const result = await upgradeIndexer(indexer, UPGRADE_OPTIONS);
      assert.equal(result.createdDefaultArchivePolicies, true);
      await assertDefaults(indexer);
      assert.equal(await indexer.seedArchivePolicies(policies, []), false);
    });

    it('migrates but creates nothing when told to skip the policies', async () => {
      const { indexer } = harness();
      const result = await upgradeIndexer(indexer, {
        ...UPGRADE_OPTIONS,
        createDefaultArchivePolicies: 'never',
      });
      assert.equal(result.createdDefaultArchivePolicies, false);
      assert.deepEqual(await indexer.listArchivePolicies(), []);
    });
  });
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
const UPGRADE_PROCESS = join(import.meta.dirname, 'upgrade-process.ts');

async function runUpgradeProcess(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', UPGRADE_PROCESS, url],
    { cwd: ROOT },
  );
  return stdout;
}

async function assertDefaults(indexer: Indexer): Promise<void> {
  const expected = [...defaultArchivePolicies(UPGRADE_OPTIONS.defaultAggregationMethods)];
  expected.sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.deepEqual(await indexer.listArchivePolicies(), expected);
  assert.deepEqual(await indexer.listArchivePolicyRules(), [DEFAULT_ARCHIVE_POLICY_RULE]);
}
