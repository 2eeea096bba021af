/** Conformance: archive policies and their rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  checkArchivePolicyUpdate,
  UnsupportedArchivePolicyChangeError,
} from '../../../src/archive-policy/index.ts';
import {
  ArchivePolicyAlreadyExistsError,
  ArchivePolicyInUseError,
  ArchivePolicyNotFoundError,
  ArchivePolicyRuleAlreadyExistsError,
  ArchivePolicyRuleNotFoundError,
  UnsupportedArchivePolicyRuleChangeError,
} from '../../../src/indexer/index.ts';
import { nextId, testPolicy, useIndexer, type MakeIndexer } from './harness.ts';

/** Runs the archive policy and rule parts of the suite. */
export function describeArchivePolicies(makeIndexer: MakeIndexer): void {
  describe('archive policies', () => {
    const harness = useIndexer(makeIndexer);

    it('keeps a policy exactly, unbounded items and sub-second granularities included', async () => {
      const { indexer } = harness();
      const policy = testPolicy(
        'exact',
        [
          { granularity: 0.5, points: 7200 },
          { granularity: '1 hour', timespan: '3650 days' },
          { granularity: 86400 },
        ],
        7,
      );
      assert.equal(await indexer.createArchivePolicy(policy), policy);
      assert.deepEqual(await indexer.getArchivePolicy('exact'), policy);
      assert.equal(await indexer.getArchivePolicy('unknown'), undefined);
    });

    it('lists policies by name, in code point order', async () => {
      const { indexer } = harness();
      const names = ['low', 'B', 'a', 'é', '𝔸', 'ｚ', 'A'];
      for (const name of names) await indexer.createArchivePolicy(testPolicy(name));
      const listed = (await indexer.listArchivePolicies()).map((policy) => policy.name);
      assert.deepEqual(listed, ['A', 'B', 'a', 'low', 'é', 'ｚ', '𝔸']);
    });

    it('refuses a second policy of the same name', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('dup'));
      await assert.rejects(indexer.createArchivePolicy(testPolicy('dup', [{ granularity: 1 }])), {
        name: ArchivePolicyAlreadyExistsError.name,
        code: 'ARCHIVE_POLICY_ALREADY_EXISTS',
        archivePolicyName: 'dup',
        message: 'Archive policy dup already exists',
      });
      assert.deepEqual(await indexer.getArchivePolicy('dup'), testPolicy('dup'));
    });

    it('updates a policy with what the change makes of it, keeping its name', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('p'));
      const updated = await indexer.updateArchivePolicy('p', (current) =>
        checkArchivePolicyUpdate(current, [{ granularity: 60, points: 10 }], 3),
      );
      const expected = testPolicy('p', [{ granularity: 60, points: 10 }], 3);
      assert.deepEqual(updated, expected);
      assert.deepEqual(await indexer.getArchivePolicy('p'), expected);
      const renamed = await indexer.updateArchivePolicy('p', (current) => ({
        ...current,
        name: 'other',
      }));
      assert.equal(renamed.name, 'p');
      assert.equal(await indexer.getArchivePolicy('other'), undefined);
    });

    it('leaves a policy as it was when the change throws', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('p'));
      await assert.rejects(
        indexer.updateArchivePolicy('p', (current) =>
          checkArchivePolicyUpdate(current, [{ granularity: 1, points: 10 }]),
        ),
        UnsupportedArchivePolicyChangeError,
      );
      assert.deepEqual(await indexer.getArchivePolicy('p'), testPolicy('p'));
    });

    it('refuses to update an unknown policy', async () => {
      const { indexer } = harness();
      await assert.rejects(
        indexer.updateArchivePolicy('nope', (current) => current),
        new ArchivePolicyNotFoundError('nope'),
      );
    });

    it('applies concurrent updates one after the other', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('counter'));
      await Promise.all(
        Array.from({ length: 12 }, () =>
          indexer.updateArchivePolicy('counter', (current) => ({
            ...current,
            backWindow: current.backWindow + 1,
          })),
        ),
      );
      assert.equal((await indexer.getArchivePolicy('counter'))?.backWindow, 12);
    });

    it('deletes an unused policy, and refuses an unknown one', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('gone'));
      await indexer.deleteArchivePolicy('gone');
      assert.equal(await indexer.getArchivePolicy('gone'), undefined);
      await assert.rejects(indexer.deleteArchivePolicy('gone'), {
        code: 'ARCHIVE_POLICY_NOT_FOUND',
        archivePolicyName: 'gone',
        message: 'Archive policy gone does not exist',
      });
    });

    it('refuses to delete a policy a rule uses', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('used'));
      await indexer.createArchivePolicyRule({
        name: 'r',
        metricPattern: '*',
        archivePolicyName: 'used',
      });
      await assert.rejects(indexer.deleteArchivePolicy('used'), {
        name: ArchivePolicyInUseError.name,
        code: 'ARCHIVE_POLICY_IN_USE',
        archivePolicyName: 'used',
        message: 'Archive policy used is still in use',
      });
      await indexer.deleteArchivePolicyRule('r');
      await indexer.deleteArchivePolicy('used');
    });

    it('refuses to delete a policy a metric uses until the metric is expunged', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('used'));
      const id = nextId();
      await indexer.createMetric({ id, archivePolicyName: 'used', creator: 'u' });
      await assert.rejects(indexer.deleteArchivePolicy('used'), ArchivePolicyInUseError);
      await indexer.deleteMetric(id);
      await assert.rejects(indexer.deleteArchivePolicy('used'), ArchivePolicyInUseError);
      await indexer.expungeMetric(id);
      await indexer.deleteArchivePolicy('used');
      assert.deepEqual(await indexer.listArchivePolicies(), []);
    });
  });

  describe('archive policy rules', () => {
    const harness = useIndexer(makeIndexer);
    const rule = (name: string, metricPattern: string, archivePolicyName = 'low') => ({
      name,
      metricPattern,
      archivePolicyName,
    });

    it('creates, gets and lists rules in precedence order', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      const rules = [
        rule('b', '*'),
        rule('disk', 'disk.*'),
        rule('a', '*'),
        rule('foo', 'disk.foo.*'),
        rule('astral', '𝔸*'),
        rule('bmp', 'ｚ*'),
      ];
      for (const created of rules)
        assert.deepEqual(await indexer.createArchivePolicyRule(created), created);
      assert.deepEqual(await indexer.getArchivePolicyRule('disk'), rule('disk', 'disk.*'));
      assert.equal(await indexer.getArchivePolicyRule('unknown'), undefined);
      const listed = (await indexer.listArchivePolicyRules()).map((listedRule) => listedRule.name);
      assert.deepEqual(listed, ['astral', 'bmp', 'foo', 'disk', 'a', 'b']);
    });

    it('refuses a duplicate name and an unknown policy', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      await indexer.createArchivePolicyRule(rule('r', '*'));
      await assert.rejects(indexer.createArchivePolicyRule(rule('r', 'x.*')), {
        name: ArchivePolicyRuleAlreadyExistsError.name,
        code: 'ARCHIVE_POLICY_RULE_ALREADY_EXISTS',
        archivePolicyRuleName: 'r',
        message: 'Archive policy rule r already exists',
      });
      await assert.rejects(
        indexer.createArchivePolicyRule(rule('s', '*', 'missing')),
        new ArchivePolicyNotFoundError('missing'),
      );
      assert.deepEqual(await indexer.listArchivePolicyRules(), [rule('r', '*')]);
    });

    it('renames a rule', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      await indexer.createArchivePolicyRule(rule('old', 'x.*'));
      assert.deepEqual(await indexer.renameArchivePolicyRule('old', 'new'), rule('new', 'x.*'));
      assert.deepEqual(await indexer.renameArchivePolicyRule('new', 'new'), rule('new', 'x.*'));
      assert.equal(await indexer.getArchivePolicyRule('old'), undefined);
      assert.deepEqual(await indexer.getArchivePolicyRule('new'), rule('new', 'x.*'));
    });

    it('refuses to rename an unknown rule, or onto another rule', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      await indexer.createArchivePolicyRule(rule('a', 'a.*'));
      await indexer.createArchivePolicyRule(rule('b', 'b.*'));
      await assert.rejects(indexer.renameArchivePolicyRule('nope', 'c'), {
        name: ArchivePolicyRuleNotFoundError.name,
        code: 'ARCHIVE_POLICY_RULE_NOT_FOUND',
        archivePolicyRuleName: 'nope',
        message: 'Archive policy rule nope does not exist',
      });
      await assert.rejects(indexer.renameArchivePolicyRule('a', 'b'), {
        name: UnsupportedArchivePolicyRuleChangeError.name,
        code: 'UNSUPPORTED_ARCHIVE_POLICY_RULE_CHANGE',
        archivePolicyRuleName: 'a',
        newName: 'b',
        message:
          'Archive policy rule a does not support change: Archive policy rule b already exists.',
      });
      assert.deepEqual(await indexer.listArchivePolicyRules(), [
        rule('b', 'b.*'),
        rule('a', 'a.*'),
      ]);
    });

    it('deletes a rule, and refuses an unknown one', async () => {
      const { indexer } = harness();
      await indexer.createArchivePolicy(testPolicy('low'));
      await indexer.createArchivePolicyRule(rule('r', '*'));
      await indexer.deleteArchivePolicyRule('r');
      assert.deepEqual(await indexer.listArchivePolicyRules(), []);
      await assert.rejects(
        indexer.deleteArchivePolicyRule('r'),
        new ArchivePolicyRuleNotFoundError('r'),
      );
    });
  });
}
