/**
 * The shared test Redis for one test file: a `before` hook connects a client and hands it to
 * `onConnect`; an `after` hook deletes the keys of every prefix `newPrefix` gave, then quits it.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import type { Redis } from 'ioredis';

import {
  createRedisClient,
  quitRedisClient,
  waitUntilConnected,
} from '../../src/redis/redis-connection.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from './redis.ts';

/** Registers the hooks; `newPrefix` gives a prefix no other run uses. */
export function useSharedRedis(onConnect: (client: Redis) => void): {
  readonly newPrefix: () => string;
} {
  let client: Redis | undefined;
  const prefixes: string[] = [];
  before(async () => {
    client = createRedisClient(SHARED_REDIS_URL);
    assert.ok(await waitUntilConnected(client), 'the shared Redis is not running');
    onConnect(client);
  });
  after(async () => {
    if (client === undefined) return;
    for (const prefix of prefixes) await deleteKeys(client, prefix);
    await quitRedisClient(client);
  });
  return {
    newPrefix: () => {
      const prefix = randomPrefix();
      prefixes.push(prefix);
      return prefix;
    },
  };
}
