/**
 * Archive policy rules: which archive policy a metric created without one gets, chosen by a glob
 * on the metric's name.
 *
 * Precedence is Gnocchi's: rules ordered by metric pattern descending, then name ascending, and
 * the first whose pattern matches wins, so `disk.foo.*` comes before `disk.*`, which comes before
 * `*`. Strings compare by code point, as Python's do.
 */
import { InvalidArchivePolicyRuleError, NoArchivePolicyRuleMatchError } from './errors.ts';
import { fnmatchCase } from '../grammar/index.ts';
import { checkMaxLength, expectRecord, expectString, type FailField } from './input-checks.ts';

/** A validated archive policy rule. */
export interface ArchivePolicyRule {
  readonly name: string;
  /** A shell glob (see `fnmatch.ts`) matched against the whole metric name. */
  readonly metricPattern: string;
  readonly archivePolicyName: string;
}

/** An archive policy rule as a client sends it to `POST /v1/archive_policy_rule`. */
export interface ArchivePolicyRuleInput {
  readonly name: string;
  readonly metric_pattern: string;
  readonly archive_policy_name: string;
}

/** An archive policy rule as the API shows it. */
export interface ArchivePolicyRuleJson {
  readonly name: string;
  readonly archive_policy_name: string;
  readonly metric_pattern: string;
}

/** Longest name or pattern, the width of Gnocchi's columns. */
export const MAX_ARCHIVE_POLICY_RULE_FIELD_LENGTH = 255;

const RULE_KEYS = {
  required: ['name', 'metric_pattern', 'archive_policy_name'],
  optional: [],
} as const;

const failField: FailField = (message, path) => {
  throw new InvalidArchivePolicyRuleError(message, { path });
};

function checkField(value: unknown, key: string): string {
  const text = expectString(value, [key], failField);
  return checkMaxLength(text, MAX_ARCHIVE_POLICY_RULE_FIELD_LENGTH, [key], failField);
}

/** Validates a client's archive policy rule (whether its policy exists is the indexer's job). */
export function createArchivePolicyRule(input: ArchivePolicyRuleInput): ArchivePolicyRule {
  const record = expectRecord(input, [], RULE_KEYS, failField);
  return Object.freeze({
    name: checkArchivePolicyRuleName(record.name),
    metricPattern: checkField(record.metric_pattern, 'metric_pattern'),
    archivePolicyName: checkField(record.archive_policy_name, 'archive_policy_name'),
  });
}

/**
 * Checks a rule name (also for a rename). Gnocchi accepts any string, but an empty name or one
 * holding `/` could never be addressed as `/v1/archive_policy_rule/<name>`, so those are refused.
 */
export function checkArchivePolicyRuleName(value: unknown): string {
  const name = checkField(value, 'name');
  if (name === '') failField('length of value must be at least 1', ['name']);
  // NOTE: worded as Gnocchi's refusal of `/` in metric names.
  if (name.includes('/')) {
    throw new InvalidArchivePolicyRuleError("'/' is not supported in archive policy rule name");
  }
  return name;
}

/** The API representation of a rule. */
export function archivePolicyRuleToJson(rule: ArchivePolicyRule): ArchivePolicyRuleJson {
  return {
    name: rule.name,
    archive_policy_name: rule.archivePolicyName,
    metric_pattern: rule.metricPattern,
  };
}

/** Orders rules by precedence (pattern descending, then name ascending), as Gnocchi lists them. */
export function sortArchivePolicyRules<Rule extends ArchivePolicyRule>(
  rules: readonly Rule[],
): Rule[] {
  return [...rules].sort(
    (a, b) =>
      compareCodePoints(b.metricPattern, a.metricPattern) || compareCodePoints(a.name, b.name),
  );
}

/** The rule that decides the policy of a metric named `metricName` (null: no name), if any. */
export function matchArchivePolicyRule<Rule extends ArchivePolicyRule>(
  rules: readonly Rule[],
  metricName: string | null,
): Rule | undefined {
  const name = metricName ?? '';
  return sortArchivePolicyRules(rules).find((rule) => fnmatchCase(name, rule.metricPattern));
}

/** Like {@link matchArchivePolicyRule}, but throws Gnocchi's error when no rule matches. */
export function requireArchivePolicyRule<Rule extends ArchivePolicyRule>(
  rules: readonly Rule[],
  metricName: string | null,
): Rule {
  const rule = matchArchivePolicyRule(rules, metricName);
  if (rule === undefined) throw new NoArchivePolicyRuleMatchError(metricName);
  return rule;
}

/**
 * Compares strings by Unicode code point, as Python does; JavaScript's `<` compares UTF-16 code
 * units, which puts characters beyond U+FFFF before those in U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}
