/**
 * `orzo api` SIGKILLed at a random moment while four clients post measures through both measures
 * endpoints, round after round on the same backends: the embedded default (file incoming store,
 * fsync on, SQLite) and the scale-out one (Redis incoming store, PostgreSQL indexer). Reading the store back afterwards, every request answered 202 must be there in
 * full and once; a request that lost its connection may be there or not, but never in part for a
 * metric; and no batch may be corrupt.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';

import { Redis } from 'ioredis';

import pg from 'pg';

import { auditIncomingAt } from '../support/incoming-audit.ts';
import {
  createMetrics,
  startMeasureTraffic,
  type MeasureTrafficOptions,
  type SentRequest,
} from '../support/measure-traffic.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { freePort, launchOrzo, runOrzo, type OrzoChild } from '../support/orzo-process.ts';
import { createTestSchema, dropTestSchema, TEST_POSTGRESQL_URL } from '../support/postgresql.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

const ROUNDS = 5;
const CLIENTS = 4;
const METRICS = 4;
/** 202s a round waits for before the kill, then the most it waits longer, at random. */
const ACKNOWLEDGED_BEFORE_KILL = 20;
const KILL_WINDOW_MS = 1_000;
/** Request numbers of round `r` start at `r * ROUND_NUMBERS`. */
const ROUND_NUMBERS = 100_000;

/** Where the API writes, and how to read it back. */
interface Deployment {
  readonly flags: readonly string[];
  /** The incoming store, read by the audit. */
  readonly incomingUrl: string;
  /** Whether the store keeps a request's batches together (see `incoming-audit.ts`). */
  readonly atomicRequests: boolean;
  cleanup(): Promise<void>;
}

const DEPLOYMENTS: readonly { name: string; make: (dataDir: string) => Promise<Deployment> }[] = [
  {
    name: 'file incoming store, SQLite',
    make: (dataDir) =>
      Promise.resolve({
        flags: [],
        incomingUrl: `file://${dataDir}`,
        atomicRequests: false,
        cleanup: () => Promise.resolve(),
      }),
  },
  {
    name: 'Redis incoming store, PostgreSQL',
    make: async () => {
      const admin = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
      await admin.connect();
      const { schema, url } = await createTestSchema(admin, 'orzo_api_crash').finally(() =>
        admin.end(),
      );
      const prefix = randomPrefix();
      const incomingUrl = `${SHARED_REDIS_URL}/?prefix=${encodeURIComponent(prefix)}`;
      return {
        flags: ['--indexer', url, '--incoming', incomingUrl],
        incomingUrl,
        atomicRequests: true,
        cleanup: async () => {
          const dropper = new pg.Client({ connectionString: TEST_POSTGRESQL_URL });
          await dropper.connect();
          await dropTestSchema(dropper, schema).finally(() => dropper.end());
          const redis = new Redis(SHARED_REDIS_URL);
          await deleteKeys(redis, prefix).finally(() => {
            redis.disconnect();
          });
        },
      };
    },
  },
];

for (const { name, make } of DEPLOYMENTS) {
  describe(`orzo api killed with SIGKILL while it writes measures (${name})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('never loses or half-writes an acknowledged batch', { timeout: 150_000 }, async (t) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'orzo-api-crash-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const deployment = await make(dataDir);
      cleanups.push(() => deployment.cleanup());
      const { flags } = deployment;
      runOrzo(['upgrade', '--data-dir', dataDir, ...flags]);
      const port = await freePort();
      let api: OrzoChild | undefined;
      cleanups.push(async () => api?.kill('SIGKILL'));
      const launch = async () => (api = await launchOrzo('api', { dataDir, port, flags }));

      const metricIds = await createMetrics((await launch()).url, METRICS);
      const random = mulberry32(20_260_512);
      const sent: SentRequest[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const running = round === 0 ? api! : await launch();
        const traffic = { url: running.url, metricIds, firstNumber: round * ROUND_NUMBERS, random };
        sent.push(
          ...(await postUntil(traffic, CLIENTS, async () => {
            await sleep(random() * KILL_WINDOW_MS);
            assert.equal(
              running.hasExited(),
              false,
              `orzo api died by itself: ${running.output().slice(-2000)}`,
            );
            await running.kill('SIGKILL');
          })),
        );
      }
      // NOTE: one more start proves that the kills left the backends usable.
      const last = await launch();
      const traffic = { url: last.url, metricIds, firstNumber: ROUNDS * ROUND_NUMBERS, random };
      sent.push(...(await postUntil(traffic, 1, () => Promise.resolve())));
      // NOTE: after the traffic, as requests that arrive while the API closes get 503.
      await last.stop();

      assert.deepEqual(unexpectedOutcomes(sent), [], 'every answer is a 202, and none hung');
      const { incomingUrl, atomicRequests } = deployment;
      const audit = await auditIncomingAt(incomingUrl, { metricIds, sent, atomicRequests });
      assert.deepEqual(audit.problems, []);
      const cutOff = sent.filter(
        ({ outcome }) => 'error' in outcome && !outcome.error.includes('ECONNREFUSED'),
      );
      t.diagnostic(
        `${ROUNDS} kills, ${sent.length} requests, ${audit.acknowledged} answered 202, ` +
          `${cutOff.length} cut off by a kill (${audit.storedUnacknowledged} of them stored), ` +
          `${audit.measures} measures stored`,
      );
    });
  });
}

/**
 * Posts with `clients` loops until some 202s came back, then runs `stop` (the kill), and returns
 * every request once the loops have finished.
 */
async function postUntil(
  traffic: Omit<MeasureTrafficOptions, 'clients'>,
  clients: number,
  stop: () => Promise<void>,
): Promise<SentRequest[]> {
  const running = startMeasureTraffic({ ...traffic, clients });
  try {
    await running.until(
      () => acknowledged(running.sent) >= ACKNOWLEDGED_BEFORE_KILL,
      `${ACKNOWLEDGED_BEFORE_KILL} 202s from request ${traffic.firstNumber} on`,
      30_000,
    );
    await stop();
  } finally {
    await running.stop();
  }
  return [...running.sent];
}

function acknowledged(sent: readonly SentRequest[]): number {
  return sent.filter(({ outcome }) => outcome.kind === 'answered' && outcome.status === 202).length;
}

/** Answers other than 202, and requests given up without an answer. */
function unexpectedOutcomes(sent: readonly SentRequest[]) {
  return sent
    .filter(({ outcome }) =>
      outcome.kind === 'answered' ? outcome.status !== 202 : outcome.kind === 'timed-out',
    )
    .map(({ request, outcome }) => ({ number: request.number, outcome }));
}
