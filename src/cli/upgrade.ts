/**
 * `orzo upgrade`: creates or migrates the indexer schema (and the default archive policies on an
 * empty index), fixes the number of sacks of the incoming store and creates the storage layout.
 * Idempotent, like `gnocchi-upgrade`.
 */
import { redactUrl, type EngineConfig } from '../config/index.ts';
import { createIndexer, upgradeIndexer } from '../indexer/index.ts';
import { createIncomingDriver } from '../ingest/index.ts';
import { createStorageDriver } from '../storage/index.ts';

/** Flags of `orzo upgrade` beyond the shared configuration. */
export interface UpgradeFlags {
  /** `--skip-archive-policies-creation` */
  readonly skipArchivePoliciesCreation: boolean;
  /** `--skip-index` */
  readonly skipIndex: boolean;
  /** `--skip-incoming` */
  readonly skipIncoming: boolean;
  /** `--skip-storage` */
  readonly skipStorage: boolean;
  /** When the default policies are created, unless skipped. @defaultValue `when-empty` */
  readonly defaultPolicies?: 'when-empty' | 'when-created';
}

/** Runs the upgrade and returns the lines to print. */
export async function runUpgrade(config: EngineConfig, flags: UpgradeFlags): Promise<string[]> {
  const report: string[] = [];
  if (!flags.skipIndex) {
    const indexer = createIndexer(config.backends.indexer);
    try {
      const result = await upgradeIndexer(indexer, {
        createDefaultArchivePolicies: flags.skipArchivePoliciesCreation
          ? 'never'
          : (flags.defaultPolicies ?? 'when-empty'),
        defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods,
      });
      const schema = result.createdSchema === true ? 'created the schema' : 'schema up to date';
      report.push(`indexer: ${schema} (${redactUrl(config.indexerUrl)})`);
      if (result.createdDefaultArchivePolicies) {
        report.push('indexer: created archive policies bool, low, medium, high and rule default');
      }
    } finally {
      await indexer.close();
    }
  }
  if (!flags.skipIncoming) report.push(await upgradeIncoming(config));
  if (!flags.skipStorage) report.push(await upgradeStorage(config));
  return report;
}

async function upgradeIncoming(config: EngineConfig): Promise<string> {
  const incoming = createIncomingDriver(config.backends.incoming);
  try {
    const sacks = await incoming.getSackCount();
    if (sacks !== undefined) return `incoming: ${sacks} sacks (unchanged)`;
    await incoming.setSackCount(config.sacks);
    return `incoming: created ${config.sacks} sacks`;
  } finally {
    await incoming.close();
  }
}

async function upgradeStorage(config: EngineConfig): Promise<string> {
  const storage = createStorageDriver(config.backends.storage);
  try {
    await storage.init();
    return `storage: ready (${redactUrl(config.storageUrl)})`;
  } finally {
    await storage.close();
  }
}
