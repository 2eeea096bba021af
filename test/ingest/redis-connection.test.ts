import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { Redis } from 'ioredis';

import { createIncomingDriver } from '../../src/ingest/create-incoming-driver.ts';
import { IncomingUnavailableError } from '../../src/ingest/errors.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';
import { freePort } from '../support/orzo-process.ts';

describe('redis incoming connections', () => {
  const prefix = randomPrefix();
  after(async () => {
    const client = new Redis(SHARED_REDIS_URL);
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it('waits for the first connection instead of failing a command issued at once', async () => {
    const driver = createIncomingDriver({ driver: 'redis', url: SHARED_REDIS_URL, prefix });
    try {
      // NOTE: as `orzo upgrade` does: the very first command, before the client is connected.
      assert.equal(await driver.getSackCount(), undefined);
      await driver.setSackCount(4);
      assert.equal(await driver.getSackCount(), 4);
    } finally {
      await driver.close();
    }
  });

  it('fails with IncomingUnavailableError when the server cannot be reached at all', async () => {
    const port = await freePort();
    const driver = createIncomingDriver({
      driver: 'redis',
      url: `redis://127.0.0.1:${port}`,
      prefix,
    });
    try {
      await assert.rejects(driver.getSackCount(), IncomingUnavailableError);
    } finally {
      await driver.close();
    }
  });
});
