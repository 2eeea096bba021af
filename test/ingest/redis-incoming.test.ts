import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import { IncomingUnavailableError } from '../../src/ingest/errors.ts';
import {
  createIncomingRedisClient,
  createIncomingRedisSubscriber,
} from '../../src/ingest/redis/redis-connection.ts';
import { RedisIncomingDriver } from '../../src/ingest/redis/redis-incoming-driver.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';
import { runIncomingDriverSuite, taggedBatch } from './incoming-driver.suite.ts';

let client: Redis;
let subscriber: Redis;
const prefixes: string[] = [];

before(async () => {
  client = createIncomingRedisClient(SHARED_REDIS_URL);
  subscriber = createIncomingRedisSubscriber(SHARED_REDIS_URL);
  await client.ping().catch(async () => {
    await new Promise((resolve) => client.once('ready', resolve));
  });
});

after(async () => {
  for (const prefix of prefixes) await deleteKeys(client, prefix);
  await Promise.all([client.quit(), subscriber.quit()]);
});

runIncomingDriverSuite(
  'redis',
  () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const driver = new RedisIncomingDriver({ client, subscriber, prefix });
    return Promise.resolve({ driver, cleanup: () => deleteKeys(client, prefix) });
  },
  {
    gaps: [
      {
        feature: 'listBatches',
        reason: "a metric's batches are a key of their own; reading them lists nothing else",
      },
    ],
  },
);

describe('redis incoming driver', () => {
  const A = '00000000-0000-0000-0000-000000000001';

  it('keeps its documented key layout', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const driver = new RedisIncomingDriver({ client, prefix });
    await driver.setSackCount(4);
    await driver.addBatches([taggedBatch(A, 1, 3)]);
    assert.equal(await client.hget(`${prefix}incoming-config`, 'sacks'), '4');
    assert.deepEqual(await client.hgetall(`${prefix}incoming4-1`), { [A]: '3' });
    const [frame] = await client.lrangeBuffer(`${prefix}incoming4-1:${A}`, 0, -1);
    assert.equal(frame?.readUInt32BE(8), 3);
    await deleteKeys(client, prefix);
  });

  it('fails fast with IncomingUnavailableError when Redis cannot be reached', async () => {
    // NOTE: nothing listens on port 1, so every connection attempt is refused at once.
    const unreachable = createIncomingRedisClient('redis://127.0.0.1:1');
    const driver = new RedisIncomingDriver({ client: unreachable, prefix: randomPrefix() });
    try {
      await assert.rejects(driver.getSackCount(), IncomingUnavailableError);
      await assert.rejects(driver.addBatches([taggedBatch(A, 1)]), IncomingUnavailableError);
    } finally {
      unreachable.disconnect();
    }
  });

  it('passes request errors through untouched', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const driver = new RedisIncomingDriver({ client, prefix });
    await client.set(`${prefix}incoming-config`, 'not a hash');
    await assert.rejects(driver.getSackCount(), (error: unknown) => {
      return !(error instanceof IncomingUnavailableError) && String(error).includes('WRONGTYPE');
    });
    await deleteKeys(client, prefix);
  });
});
