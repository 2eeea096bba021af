/**
 * The Redis driver across a Redis crash, against a private redis-server with append-only
 * persistence (fsync always): writes fail fast with IncomingUnavailableError while it is down
 * (the test's timeout is the guard against hanging), the driver recovers by itself once it is
 * back on the same port, and every acknowledged batch is still there.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { Redis } from 'ioredis';

import { IncomingUnavailableError } from '../../src/ingest/errors.ts';
import { decodeMeasureBatch } from '../../src/ingest/measure-batch-codec.ts';
import { createIncomingRedisClient } from '../../src/ingest/redis/redis-connection.ts';
import { RedisIncomingDriver } from '../../src/ingest/redis/redis-incoming-driver.ts';
import { allSacks } from '../../src/ingest/sack.ts';
import { privateRedisServer, type RedisServer } from '../support/redis.ts';
import { CRASH_TEST_SACKS, crashTestBatch, tagOfBatch } from './support/crash-batches.ts';

/** Failed writes to see while Redis is down, and writes to see succeed after it is back. */
const FAILURES_WHILE_DOWN = 5;
const WRITES_AFTER_RESTART = 20;

describe('redis incoming driver across a Redis restart', () => {
  let server: RedisServer;
  let client: Redis;
  let driver: RedisIncomingDriver;
  before(async () => {
    server = await privateRedisServer();
    await server.start();
    client = createIncomingRedisClient(server.url);
    driver = new RedisIncomingDriver({ client, prefix: 'orzo-restart:' });
    await waitUntil(async () => (await driver.setSackCount(CRASH_TEST_SACKS), true));
  });
  after(async () => {
    client.disconnect();
    await server.dispose();
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(
      `keeps every acknowledged batch when Redis gets ${signal}`,
      { timeout: 60_000 },
      async () => {
        const writer = startWriter(driver, signal === 'SIGKILL' ? 0 : 1_000_000);
        await writer.until(() => writer.acknowledged.length >= 30);
        await server.stop(signal);
        const acknowledgedBeforeRestart = writer.acknowledged.length;
        await writer.until(() => writer.failures >= FAILURES_WHILE_DOWN);
        await server.start();
        await writer.until(
          () => writer.acknowledged.length >= acknowledgedBeforeRestart + WRITES_AFTER_RESTART,
        );
        await writer.stop();
        const stored = await readAllTags(driver);
        const lost = writer.acknowledged.filter((tag) => !stored.has(tag));
        assert.deepEqual(lost, []);
      },
    );
  }
});

/** Writes one batch after another, recording acknowledgements and (typed) failures. */
function startWriter(driver: RedisIncomingDriver, firstTag: number) {
  const state = {
    acknowledged: [] as number[],
    failures: 0,
    running: true,
    error: undefined as Error | undefined,
  };
  const loop = (async () => {
    for (let tag = firstTag; state.running; tag++) {
      try {
        await driver.addBatches([crashTestBatch(tag)]);
        state.acknowledged.push(tag);
      } catch (error) {
        if (!(error instanceof IncomingUnavailableError)) throw error;
        state.failures++;
        await sleep(20);
      }
    }
  })().catch((error: unknown) => {
    state.error = error instanceof Error ? error : new Error(String(error));
  });
  return {
    get acknowledged() {
      return state.acknowledged;
    },
    get failures() {
      return state.failures;
    },
    until: async (condition: () => boolean) => {
      while (!condition()) {
        if (state.error !== undefined) throw state.error;
        await sleep(5);
      }
    },
    stop: async () => {
      state.running = false;
      await loop;
      if (state.error !== undefined) throw state.error;
    },
  };
}

async function readAllTags(driver: RedisIncomingDriver): Promise<Set<number>> {
  const tags = new Set<number>();
  for (const sack of allSacks(CRASH_TEST_SACKS)) {
    for (const metricId of await driver.listMetrics(sack)) {
      for (const { data } of await driver.readBatches(sack, metricId)) {
        const tag = tagOfBatch(decodeMeasureBatch(data), metricId);
        assert.equal(typeof tag, 'number', `read a broken batch: ${tag}`);
        tags.add(tag as number);
      }
    }
  }
  return tags;
}

async function waitUntil(attempt: () => Promise<boolean>): Promise<void> {
  for (;;) {
    try {
      if (await attempt()) return;
    } catch (error) {
      if (!(error instanceof IncomingUnavailableError)) throw error;
    }
    await sleep(20);
  }
}
