import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  archivePolicyRuleToJson,
  checkArchivePolicyRuleName,
  compareCodePoints,
  createArchivePolicyRule,
  matchArchivePolicyRule,
  requireArchivePolicyRule,
  sortArchivePolicyRules,
  type ArchivePolicyRule,
  type ArchivePolicyRuleInput,
} from '../../src/archive-policy/archive-policy-rule.ts';
import {
  InvalidArchivePolicyRuleError,
  NoArchivePolicyRuleMatchError,
  type InputPath,
} from '../../src/archive-policy/errors.ts';

function rule(name: string, metricPattern: string, archivePolicyName = 'low'): ArchivePolicyRule {
  return { name, metricPattern, archivePolicyName };
}

describe('createArchivePolicyRule', () => {
  it('validates and renders a rule', () => {
    const created = createArchivePolicyRule({
      name: 'disks',
      metric_pattern: 'disk.*',
      archive_policy_name: 'medium',
    });
    assert.deepEqual(created, rule('disks', 'disk.*', 'medium'));
    assert.ok(Object.isFrozen(created));
    assert.deepEqual(archivePolicyRuleToJson(created), {
      name: 'disks',
      archive_policy_name: 'medium',
      metric_pattern: 'disk.*',
    });
  });

  it('accepts an empty pattern, which matches only metrics without a name', () => {
    const created = createArchivePolicyRule({
      name: 'unnamed',
      metric_pattern: '',
      archive_policy_name: 'low',
    });
    assert.equal(matchArchivePolicyRule([created], null), created);
    assert.equal(matchArchivePolicyRule([created], 'x'), undefined);
  });

  const refused: [input: Record<string, unknown>, message: string, path?: InputPath][] = [
    [{ metric_pattern: '*', archive_policy_name: 'low' }, 'required key not provided', ['name']],
    [{ name: 'r', archive_policy_name: 'low' }, 'required key not provided', ['metric_pattern']],
    [{ name: 'r', metric_pattern: '*' }, 'required key not provided', ['archive_policy_name']],
    [
      { name: 'r', metric_pattern: '*', archive_policy_name: 'low', extra: 1 },
      'extra keys not allowed',
      ['extra'],
    ],
    [{ name: 1, metric_pattern: '*', archive_policy_name: 'low' }, 'expected str', ['name']],
    [
      { name: 'r', metric_pattern: 2, archive_policy_name: 'low' },
      'expected str',
      ['metric_pattern'],
    ],
    [
      { name: 'r', metric_pattern: '*', archive_policy_name: null },
      'expected str',
      ['archive_policy_name'],
    ],
    [
      { name: '', metric_pattern: '*', archive_policy_name: 'low' },
      'length of value must be at least 1',
      ['name'],
    ],
    [
      { name: 'r', metric_pattern: '*'.repeat(256), archive_policy_name: 'low' },
      'length of value must be at most 255',
      ['metric_pattern'],
    ],
    [
      { name: 'a/b', metric_pattern: '*', archive_policy_name: 'low' },
      "'/' is not supported in archive policy rule name",
    ],
  ];
  for (const [input, message, path] of refused) {
    it(`refuses ${JSON.stringify(input).slice(0, 80)}: ${message}`, () => {
      assert.throws(
        () => createArchivePolicyRule(input as unknown as ArchivePolicyRuleInput),
        (error: unknown) => {
          assert.ok(error instanceof InvalidArchivePolicyRuleError);
          assert.equal(error.code, 'INVALID_ARCHIVE_POLICY_RULE');
          assert.equal(error.message, message);
          assert.deepEqual(error.path, path);
          return true;
        },
      );
    });
  }

  it('checks a new name for a rename', () => {
    assert.equal(checkArchivePolicyRuleName('renamed'), 'renamed');
    assert.throws(() => checkArchivePolicyRuleName(''), InvalidArchivePolicyRuleError);
  });
});

describe('sortArchivePolicyRules (§1.6)', () => {
  it('orders by pattern descending, then name ascending', () => {
    const rules = [
      rule('default', '*'),
      rule('b', 'disk.*'),
      rule('a', 'disk.*'),
      rule('foo', 'disk.foo.*'),
      rule('cpu', 'cpu'),
      rule('upper', 'Disk.*'),
    ];
    assert.deepEqual(
      sortArchivePolicyRules(rules).map((r) => `${r.metricPattern} ${r.name}`),
      ['disk.foo.* foo', 'disk.* a', 'disk.* b', 'cpu cpu', 'Disk.* upper', '* default'],
    );
    assert.equal(rules[0]?.name, 'default', 'the input is left as it was');
  });

  it('compares by code point, as Python does', () => {
    // U+1F600 sorts after U+FF5E in Python; UTF-16 code units would put it first.
    const rules = [rule('emoji', '😀*'), rule('wide', '～*')];
    assert.deepEqual(
      sortArchivePolicyRules(rules).map((r) => r.name),
      ['emoji', 'wide'],
    );
    const table: [a: string, b: string, sign: number][] = [
      ['a', 'b', -1],
      ['b', 'a', 1],
      ['a', 'a', 0],
      ['a', 'ab', -1],
      ['', 'a', -1],
      ['😀', '～', 1],
      ['～', '😀', -1],
      ['a😀', 'a😀b', -1],
    ];
    for (const [a, b, sign] of table) {
      assert.equal(Math.sign(compareCodePoints(a, b)), sign, `${a} vs ${b}`);
    }
  });
});

describe('matchArchivePolicyRule (§1.6)', () => {
  const rules = [
    rule('default', '*', 'low'),
    rule('disks', 'disk.*', 'medium'),
    rule('foo', 'disk.foo.*', 'high'),
    rule('z-cpu', 'cpu.?', 'bool'),
    rule('a-cpu', 'cpu.?', 'medium'),
  ];
  const rows: [metricName: string | null, policy: string][] = [
    ['disk.foo.bar', 'high'],
    ['disk.io', 'medium'],
    ['disk', 'low'],
    ['cpu.1', 'medium'],
    ['cpu.10', 'low'],
    ['', 'low'],
    [null, 'low'],
  ];
  for (const [metricName, policy] of rows) {
    it(`gives ${JSON.stringify(metricName)} the policy ${policy}`, () => {
      assert.equal(matchArchivePolicyRule(rules, metricName)?.archivePolicyName, policy);
    });
  }

  it('finds nothing when no pattern matches', () => {
    assert.equal(matchArchivePolicyRule([rule('d', 'disk.*')], 'cpu'), undefined);
    assert.equal(matchArchivePolicyRule<ArchivePolicyRule>([], 'cpu'), undefined);
  });

  it('throws Gnocchi’s error when a rule is required', () => {
    assert.equal(requireArchivePolicyRule(rules, 'disk.io').name, 'disks');
    assert.throws(() => requireArchivePolicyRule([rule('d', 'disk.*')], 'volume.io.rate'), {
      name: 'NoArchivePolicyRuleMatchError',
      code: 'NO_ARCHIVE_POLICY_RULE_MATCH',
      message:
        'No archive policy name specified and no archive policy rule found matching ' +
        'the metric name volume.io.rate',
    });
    assert.throws(
      () => requireArchivePolicyRule([], null),
      (error: unknown) =>
        error instanceof NoArchivePolicyRuleMatchError &&
        error.metricName === null &&
        error.message.endsWith('the metric name None'),
    );
  });
});
