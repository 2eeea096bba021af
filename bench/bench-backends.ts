/**
 * The backends of a bench run: the embedded default, or the distributed mode on the test Redis
 * (a random key prefix) and the test PostgreSQL (a fresh schema), removed afterwards.
 */
import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import pg from 'pg';

import { deleteKeys, SHARED_REDIS_URL } from '../test/support/redis.ts';
import {
  createTestSchema,
  dropTestSchema,
  TEST_POSTGRESQL_URL,
} from '../test/support/postgresql.ts';

/** Where a bench run keeps its data. */
export interface BenchBackends {
  /** Flags for `orzo upgrade` and `orzo serve`. */
  readonly flags: readonly string[];
  /** The incoming URL the server uses, for the drain check. */
  incomingUrl(dataDir: string): string;
  /** Bytes Redis uses for the stored aggregates (Redis storage only). */
  storageBytes(): Promise<number>;
  dispose(): Promise<void>;
}

/** Opens the backends of one run. */
export async function openBenchBackends(options: {
  readonly distributed: boolean;
  readonly redisStorage: boolean;
}): Promise<BenchBackends> {
  if (!options.distributed) {
    return {
      flags: [],
      incomingUrl: (dataDir) => `file://${dataDir}`,
      storageBytes: () => Promise.resolve(0),
      dispose: () => Promise.resolve(),
    };
  }
  const prefix = `orzo-bench-${randomUUID()}:`;
  const redis = new Redis(SHARED_REDIS_URL);
  const admin = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
  await admin.connect();
  const schema = await createTestSchema(admin, 'orzo_bench');
  const incomingUrl = `${SHARED_REDIS_URL}?prefix=${prefix}in:`;
  const storagePrefix = `${prefix}st:`;
  return {
    flags: [
      '--coordination',
      `${SHARED_REDIS_URL}?prefix=${prefix}`,
      '--incoming',
      incomingUrl,
      '--indexer',
      schema.url,
      ...(options.redisStorage ? ['--storage', `${SHARED_REDIS_URL}?prefix=${storagePrefix}`] : []),
    ],
    incomingUrl: () => incomingUrl,
    storageBytes: async () => {
      let bytes = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${storagePrefix}*`, 'COUNT', 1000);
        for (const key of keys) bytes += (await redis.memory('USAGE', key)) ?? 0;
        cursor = next;
      } while (cursor !== '0');
      return bytes;
    },
    dispose: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await dropTestSchema(admin, schema.schema);
      await admin.end();
    },
  };
}
