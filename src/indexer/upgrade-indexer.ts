/**
 * The indexer's part of `orzo upgrade`: migrate the schema, then, on an index that has neither
 * archive policies nor rules, create Gnocchi's default policies (`bool`, `low`, `medium`, `high`)
 * and the `default` rule, as `gnocchi-upgrade` does. Running it again changes nothing, and an
 * operator who deleted the defaults does not get them back while anything else exists.
 */
import { DEFAULT_ARCHIVE_POLICY_RULE, defaultArchivePolicies } from '../archive-policy/index.ts';
import { ArchivePolicyAlreadyExistsError, ArchivePolicyRuleAlreadyExistsError } from './errors.ts';
import type { Indexer } from './indexer.ts';

/** What {@link upgradeIndexer} needs of the indexer. */
export type UpgradeableIndexer = Pick<
  Indexer,
  | 'upgrade'
  | 'listArchivePolicies'
  | 'listArchivePolicyRules'
  | 'createArchivePolicy'
  | 'createArchivePolicyRule'
>;

/** How {@link upgradeIndexer} runs. */
export interface UpgradeIndexerOptions {
  /**
   * When to create the defaults: on an index without policies or rules (`orzo upgrade`), only on
   * an index this run created (`orzo serve`, so that it never undoes an upgrade run with
   * `--skip-archive-policies-creation`), or never (that flag).
   */
  readonly createDefaultArchivePolicies: 'when-empty' | 'when-created' | 'never';
  /** Methods of the default policies other than `bool` (the config's). */
  readonly defaultAggregationMethods: readonly string[];
}

/** What {@link upgradeIndexer} did. */
export interface UpgradeIndexerResult {
  /** Whether this run created the default policies and rule. */
  readonly createdDefaultArchivePolicies: boolean;
}

/** Migrates the indexer and creates the default archive policies where Gnocchi would. */
export async function upgradeIndexer(
  indexer: UpgradeableIndexer,
  options: UpgradeIndexerOptions,
): Promise<UpgradeIndexerResult> {
  const created = await indexer.upgrade();
  const when = options.createDefaultArchivePolicies;
  if (when === 'never' || (when === 'when-created' && !created)) {
    return { createdDefaultArchivePolicies: false };
  }
  const [policies, rules] = await Promise.all([
    indexer.listArchivePolicies(),
    indexer.listArchivePolicyRules(),
  ]);
  if (policies.length > 0 || rules.length > 0) return { createdDefaultArchivePolicies: false };
  // NOTE: another upgrade may be doing the same right now; what it created first is left as is.
  for (const policy of defaultArchivePolicies(options.defaultAggregationMethods)) {
    await ignoreIf(ArchivePolicyAlreadyExistsError, indexer.createArchivePolicy(policy));
  }
  await ignoreIf(
    ArchivePolicyRuleAlreadyExistsError,
    indexer.createArchivePolicyRule(DEFAULT_ARCHIVE_POLICY_RULE),
  );
  return { createdDefaultArchivePolicies: true };
}

async function ignoreIf(
  errorClass: abstract new (...args: never[]) => Error,
  promise: Promise<unknown>,
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof errorClass)) throw error;
  }
}
