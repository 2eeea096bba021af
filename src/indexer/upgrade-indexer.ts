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
  /** Whether to create the defaults on an empty index (`--skip-archive-policies-creation`: no). */
  readonly createDefaultArchivePolicies: boolean;
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
  await indexer.upgrade();
  if (!options.createDefaultArchivePolicies) return { createdDefaultArchivePolicies: false };
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
