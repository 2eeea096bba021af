/**
 * `orzo upgrade`: creates or migrates the indexer schema (and the default archive policies on an
 * empty index), fixes the number of sacks of the incoming store and creates the storage layout.
 * Idempotent, like `gnocchi-upgrade`.
 */
import { redactUrl, type EngineConfig } from '../config/index.ts';
import { ADMIN_USER } from '../api/auth/auth.ts';
import { hashPassword } from '../api/auth/password-hash.ts';
import {
  ApiUserAlreadyExistsError,
  createIndexer,
  upgradeIndexer,
  type Indexer,
} from '../indexer/index.ts';
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
  /**
   * The password of the user `admin` (role `admin`) to create in the `verified` mode when the
   * index has no such user (`ORZO_ADMIN_PASSWORD`), so that a new deployment can be administered
   * without a step of its own. An existing admin is left alone. @defaultValue none
   */
  readonly adminPassword?: string | undefined;
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
      if (config.api.auth === 'verified' && flags.adminPassword !== undefined) {
        report.push(...(await ensureAdmin(indexer, flags.adminPassword)));
      }
    } finally {
      await indexer.close();
    }
  }
  if (!flags.skipIncoming) report.push(await upgradeIncoming(config));
  if (!flags.skipStorage) report.push(await upgradeStorage(config));
  return report;
}

async function ensureAdmin(indexer: Indexer, password: string): Promise<string[]> {
  if ((await indexer.getUser(ADMIN_USER)) !== undefined) return [];
  try {
    await indexer.createUser({
      name: ADMIN_USER,
      passwordHash: await hashPassword(password),
      projectId: null,
      roles: ['admin'],
      createdAt: Date.now(),
    });
  } catch (error) {
    // NOTE: another process upgrading at the same time created it first.
    if (error instanceof ApiUserAlreadyExistsError) return [];
    throw error;
  }
  return [`indexer: created user ${ADMIN_USER} with the role admin (ORZO_ADMIN_PASSWORD)`];
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
