/**
 * Backends and policies shared by the storage service tests: each test file runs its cases
 * against a file driver in a temporary folder and a Redis driver under a random key prefix.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ArchivePolicy } from '../../../src/archive-policy/index.ts';
import { createRedisClient } from '../../../src/redis/redis-connection.ts';
import { FileStorageDriver } from '../../../src/storage/file/file-storage-driver.ts';
import { RedisStorageDriver } from '../../../src/storage/redis/redis-storage-driver.ts';
import type { StorageDriver } from '../../../src/storage/storage-driver.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../../support/redis.ts';

export const S = 1_000_000;
export const MINUTE = 60 * S;
export const HOUR = 3600 * S;
/** 2015-03-06T00:00:00Z in µs. */
export const T0 = 1_425_600_000 * S;

/** The methods every test policy aggregates with. */
export const ALL_TEST_METHODS = [
  'mean',
  'min',
  'max',
  'sum',
  'count',
  'last',
  'first',
  'std',
  'median',
  '95pct',
  'rate:mean',
] as const;

/** A policy from `[granularity, points | null]` pairs (µs). */
export function testPolicy(
  items: readonly (readonly [number, number | null])[],
  backWindow = 0,
  methods: readonly string[] = ALL_TEST_METHODS,
): ArchivePolicy {
  return Object.freeze({
    name: 'test',
    backWindow,
    definition: items.map(([granularity, points]) => ({
      granularity,
      points,
      timespan: points === null ? null : granularity * points,
    })),
    aggregationMethods: [...methods].sort(),
  });
}

/** A backend for one test file, and how to throw it away. */
export interface Backend {
  readonly name: string;
  readonly driver: StorageDriver;
  cleanup(): Promise<void>;
}

/** Makers of every backend. */
export const BACKENDS: readonly { name: string; make: () => Promise<Backend> }[] = [
  {
    name: 'file',
    make: async () => {
      const basePath = await mkdtemp(join(tmpdir(), 'orzo-storage-'));
      // NOTE: fsync is covered by the driver suite; here it would only slow the property runs.
      const driver = new FileStorageDriver({ basePath, fsync: false });
      return {
        name: 'file',
        driver,
        cleanup: () => rm(basePath, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'redis',
    make: () => {
      const client = createRedisClient(SHARED_REDIS_URL);
      const prefix = randomPrefix();
      const driver = new RedisStorageDriver({ client, prefix });
      return Promise.resolve({
        name: 'redis',
        driver,
        cleanup: async () => {
          await deleteKeys(client, prefix);
          await client.quit();
        },
      });
    },
  },
];
