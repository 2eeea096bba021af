/**
 * The indexer's part of `orzo upgrade`: migrate the schema, then, on an index that has neither
 * archive policies nor rules, create Gnocchi's default policies (`bool`, `low`, `medium`, `high`)
 * and the `default` rule, as `gnocchi-upgrade` does. Running it again changes nothing, and an
 * operator who deleted the defaults does not get them back while anything else exists.
 */
import { DEFAULT_ARCHIVE_POLICY_RULE, defaultArchivePolicies } from '../archive-policy/index.ts';
import type { Indexer } from './indexer.ts';

/** What {@link upgradeIndexer} needs of the indexer. */
export type UpgradeableIndexer = Pick<Indexer, 'upgrade' | 'seedArchivePolicies'>;

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
  /** Whether this run created the schema (rather than finding it, or migrating it). */
  readonly createdSchema?: boolean;
  /** Whether this run created the default policies and rule. */
  readonly createdDefaultArchivePolicies: boolean;
}

/** Migrates the indexer and creates the default archive policies where Gnocchi would. */
export async function upgradeIndexer(
  indexer: UpgradeableIndexer,
  options: UpgradeIndexerOptions,
): Promise<UpgradeIndexerResult> {
  const when = options.createDefaultArchivePolicies;
  const seed = {
    policies: defaultArchivePolicies(options.defaultAggregationMethods),
    rules: [DEFAULT_ARCHIVE_POLICY_RULE],
  };
  if (when === 'when-created') {
    // NOTE: with the schema, in its transaction: a run killed before it commits leaves no schema,
    // so the next run creates both; one that commits leaves both.
    const created = await indexer.upgrade(seed);
    return { createdSchema: created, createdDefaultArchivePolicies: created };
  }
  const created = await indexer.upgrade();
  if (when === 'never') return { createdSchema: created, createdDefaultArchivePolicies: false };
  // NOTE: all or nothing in one transaction, so that a killed upgrade leaves an empty index,
  // which the next run fills; another upgrade running now may be the one that fills it.
  const seeded = await indexer.seedArchivePolicies(seed.policies, seed.rules);
  return { createdSchema: created, createdDefaultArchivePolicies: seeded };
}
