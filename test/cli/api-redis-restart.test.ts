/**
 * `orzo api` on the Redis incoming store while Redis goes away, against a private redis-server
 * with append-only persistence (fsync always) and clients posting all along (and `/ready` naming
 * the incoming store while Redis is away): Redis is killed
 * (SIGKILL), stopped (SIGTERM), stalled (CLIENT PAUSE WRITE), made to drop its connections
 * (CLIENT KILL) and filled up (maxmemory with noeviction). While it is away every request gets a prompt 503 with a JSON error body; once it
 * is back 202s resume without the API being restarted; the API never exits, never drops a
 * connection, and every measure it answered 202 for is in Redis afterwards.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { Redis } from 'ioredis';

import { auditIncomingAt } from '../support/incoming-audit.ts';
import type { MeasureTraffic } from '../support/measure-traffic.ts';
import {
  apiUnderTraffic,
  badErrorBodies,
  hasStatus,
  hung,
  summary,
  trafficWindows,
  unexpected,
} from '../support/outage-checks.ts';
import type { OrzoChild } from '../support/orzo-process.ts';
import { privateRedisServer, type RedisServer } from '../support/redis.ts';

const CLIENTS = 3;
const METRICS = 3;
const PREFIX = 'orzo-e2e:';
/**
 * The longest a request may take: the driver bounds each Redis command to 5 s, and a loaded
 * machine adds some; anything longer is a request left hanging.
 */
const HANG_LIMIT_MS = 10_000;
/** 202s to see before each outage and after it, to know requests flow. */
const ACKNOWLEDGED_AROUND_OUTAGE = 20;
/** 503s to see while Redis is down. */
const REFUSED_WHILE_DOWN = 10;
/** Longer than the driver's 5 s command timeout, so that stalled writes time out. */
const STALL_MS = 7_000;
const WAIT_MS = 30_000;

describe('orzo api across Redis outages (Redis incoming store)', () => {
  let redis: RedisServer;
  let incomingUrl: string;
  let api: OrzoChild;
  let metricIds: string[];
  let traffic: MeasureTraffic;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    redis = await privateRedisServer();
    cleanups.push(() => redis.dispose());
    await redis.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'orzo-api-redis-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // NOTE: only incoming measures live in Redis; the indexer stays SQLite in the data folder.
    incomingUrl = `${redis.url}?prefix=${PREFIX}`;
    ({ api, metricIds, traffic } = await apiUnderTraffic({
      dataDir,
      flags: ['--incoming', incomingUrl],
      metrics: METRICS,
      clients: CLIENTS,
      seed: 20_260_513,
    }));
    cleanups.push(() => api.kill('SIGKILL'));
    cleanups.push(() => traffic.stop().catch(() => undefined));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const { startedIn, finishedSince, untilAcknowledgedSince } = trafficWindows(() => traffic, {
    acknowledged: ACKNOWLEDGED_AROUND_OUTAGE,
    waitMs: WAIT_MS,
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(
      `answers 503 while Redis is stopped with ${signal} and 202 again once it is back`,
      { timeout: 90_000 },
      async (t) => {
        await untilAcknowledgedSince(performance.now(), '202s before the outage');
        await redis.stop(signal);
        const downAt = performance.now();
        await traffic.until(
          () => startedIn(downAt).filter(hasStatus(503)).length >= REFUSED_WHILE_DOWN,
          '503s while Redis is down',
          WAIT_MS,
        );
        const notReady = await fetch(`${api.url}/ready`);
        assert.equal(notReady.status, 503, 'readiness while Redis is down');
        const states = (await notReady.json()) as Record<string, string>;
        assert.match(states.incoming ?? '', /^(failing: |no answer)/);
        assert.equal(states.indexer, 'ok');
        const restartedAt = performance.now();
        await redis.start();
        await untilAcknowledgedSince(restartedAt, '202s once Redis is back');
        assert.equal((await fetch(`${api.url}/ready`)).status, 200, 'readiness once Redis is back');
        const whileDown = startedIn(downAt, restartedAt);
        assert.deepEqual(unexpected(whileDown, [503]), [], 'answers while Redis is down');
        assert.deepEqual(
          hung(whileDown, HANG_LIMIT_MS),
          [],
          'requests left hanging while Redis is down',
        );
        assert.deepEqual(badErrorBodies(whileDown), []);
        assert.equal(api.hasExited(), false, `orzo api exited: ${api.output().slice(-2000)}`);
        t.diagnostic(summary('started while Redis was down', whileDown));
      },
    );
  }

  it('answers 503 or 202 in bounded time while Redis stalls', { timeout: 90_000 }, async (t) => {
    await withAdmin(async (admin) => {
      await untilAcknowledgedSince(performance.now(), '202s before the stall');
      const stalledAt = performance.now();
      await admin.call('CLIENT', 'PAUSE', String(STALL_MS), 'WRITE');
      // NOTE: the writes in flight when the pause begins are the ones that wait out the
      // driver's command timeout, so the 503 is looked for among requests that finished since.
      await traffic.until(
        () => finishedSince(stalledAt).some(hasStatus(503)),
        'a 503 while Redis stalls',
        WAIT_MS,
      );
      await sleep(Math.max(0, stalledAt + STALL_MS - performance.now()));
      const resumedAt = performance.now();
      await untilAcknowledgedSince(resumedAt, '202s once the stall is over');
      const whileStalled = finishedSince(stalledAt).filter(
        ({ startedAt }) => startedAt < resumedAt,
      );
      assert.deepEqual(unexpected(whileStalled, [202, 503]), [], 'answers while Redis stalls');
      assert.deepEqual(
        hung(whileStalled, HANG_LIMIT_MS),
        [],
        'requests left hanging while Redis stalls',
      );
      assert.deepEqual(badErrorBodies(whileStalled), []);
      t.diagnostic(summary('in flight while Redis stalled', whileStalled));
    });
  });

  it('answers every request when Redis drops its connections', { timeout: 90_000 }, async (t) => {
    await withAdmin(async (admin) => {
      const droppedAt = performance.now();
      for (let drop = 0; drop < 3; drop++) {
        await untilAcknowledgedSince(performance.now(), '202s between connection drops');
        await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      }
      await untilAcknowledgedSince(performance.now(), '202s after the connection drops');
      const around = finishedSince(droppedAt);
      assert.deepEqual(unexpected(around, [202, 503]), [], 'answers around connection drops');
      assert.deepEqual(hung(around, HANG_LIMIT_MS), []);
      assert.deepEqual(badErrorBodies(around), []);
      t.diagnostic(summary('finished around the drops', around));
    });
  });

  it(
    'answers 503 while Redis is out of memory and 202 again once it has room',
    { timeout: 90_000 },
    async (t) => {
      await withAdmin(async (admin) => {
        await untilAcknowledgedSince(performance.now(), '202s before Redis fills up');
        const info = String(await admin.call('INFO', 'memory'));
        const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
        await admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
        const fullAt = performance.now();
        await admin.call('CONFIG', 'SET', 'maxmemory', String(used + 64 * 1024));
        await traffic.until(
          () => finishedSince(fullAt).filter(hasStatus(503)).length >= REFUSED_WHILE_DOWN,
          '503s while Redis is out of memory',
          WAIT_MS,
        );
        const roomAt = performance.now();
        await admin.call('CONFIG', 'SET', 'maxmemory', '0');
        await untilAcknowledgedSince(roomAt, '202s once Redis has room');
        const whileFull = finishedSince(fullAt).filter(({ startedAt }) => startedAt < roomAt);
        assert.deepEqual(unexpected(whileFull, [202, 503]), [], 'answers while Redis is full');
        assert.deepEqual(hung(whileFull, HANG_LIMIT_MS), []);
        assert.deepEqual(badErrorBodies(whileFull), []);
        const refused = whileFull.find(hasStatus(503));
        assert.match(
          refused?.outcome.kind === 'answered' ? refused.outcome.body : '',
          /out of memory/i,
          'the 503 says why',
        );
        t.diagnostic(summary('finished while Redis was full', whileFull));
      });
    },
  );

  it('kept running and lost no acknowledged measure', { timeout: 60_000 }, async (t) => {
    await traffic.stop();
    assert.equal(api.hasExited(), false, `orzo api exited: ${api.output().slice(-2000)}`);
    const { sent } = traffic;
    assert.deepEqual(unexpected(sent, [202, 503]), [], 'every answer is a 202 or a 503');
    assert.deepEqual(hung(sent, HANG_LIMIT_MS), [], 'requests left hanging');
    const audit = await auditIncomingAt(incomingUrl, { metricIds, sent, atomicRequests: true });
    assert.deepEqual(audit.problems, []);
    t.diagnostic(
      `${sent.length} requests, ${audit.acknowledged} answered 202, ` +
        `${sent.filter(hasStatus(503)).length} answered 503 (${audit.storedUnacknowledged} ` +
        `stored all the same), ${audit.measures} measures stored`,
    );
  });

  /** Runs `work` with a client of its own on the private Redis (never the API's connection). */
  async function withAdmin(work: (admin: Redis) => Promise<void>): Promise<void> {
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
    try {
      await work(admin);
    } finally {
      admin.disconnect();
    }
  }
});
