/**
 * Orzo on a PostgreSQL indexer while PostgreSQL goes away, against a private server: crashed
 * (SIGKILL of the postmaster) and shut down (SIGINT), then started again. `orzo api` answers
 * 202 or a prompt JSON 503 all along, says in `/ready` that the indexer is the one failing, and
 * takes 202s again once the server is back without being restarted; every measure it answered
 * 202 for is in the incoming store. metricd, whose indexer vanishes in the middle of a drain,
 * carries on once it is back, and every aggregate equals the reference.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  E2E_POLICY,
  assertAggregatesMatch,
  batchBodies,
  createPolicyAndMetrics,
  makeSeries,
  postBodies,
  request,
  waitForDrain,
} from '../support/aggregate-workload.ts';
import { auditIncomingAt } from '../support/incoming-audit.ts';
import type { MeasureTraffic } from '../support/measure-traffic.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import {
  apiUnderTraffic,
  badErrorBodies,
  hasStatus,
  hung,
  summary,
  trafficWindows,
  unexpected,
} from '../support/outage-checks.ts';
import { launchMetricd, type OrzoChild } from '../support/orzo-process.ts';
import { privatePostgresqlServer, type PostgresqlServer } from '../support/private-postgresql.ts';

const METRICS = 4;
const CLIENTS = 4;
/** 202s to see before each outage and after it, to know requests flow. */
const ACKNOWLEDGED_AROUND_OUTAGE = 20;
/** 503s to see while PostgreSQL is down. */
const REFUSED_WHILE_DOWN = 10;
/** The longest a request may take while the server is away (connection timeouts included). */
const HANG_LIMIT_MS = 15_000;
const WAIT_MS = 40_000;

describe('Orzo across PostgreSQL outages (PostgreSQL indexer)', () => {
  let postgresql: PostgresqlServer;
  let dataDir: string;
  let flags: string[];
  let api: OrzoChild;
  let traffic: MeasureTraffic;
  let metricIds: string[];
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    postgresql = await privatePostgresqlServer();
    cleanups.push(() => postgresql.dispose());
    await postgresql.start();
    dataDir = await mkdtemp(join(tmpdir(), 'orzo-api-pg-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    flags = ['--indexer', postgresql.url];
    ({ api, metricIds, traffic } = await apiUnderTraffic({
      dataDir,
      flags,
      metrics: METRICS,
      clients: CLIENTS,
      seed: 20_261_204,
    }));
    cleanups.push(() => api.kill('SIGKILL'));
    cleanups.push(() => traffic.stop().catch(() => undefined));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const { startedIn, untilAcknowledgedSince } = trafficWindows(() => traffic, {
    acknowledged: ACKNOWLEDGED_AROUND_OUTAGE,
    waitMs: WAIT_MS,
  });

  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    it(`answers 503 while PostgreSQL is stopped with ${signal}, 202 once it is back`, async (t) => {
      await untilAcknowledgedSince(performance.now(), '202s before the outage');
      await postgresql.stop(signal);
      const downAt = performance.now();
      await traffic.until(
        () => startedIn(downAt).filter(hasStatus(503)).length >= REFUSED_WHILE_DOWN,
        '503s while PostgreSQL is down',
        WAIT_MS,
      );
      const notReady = await fetch(`${api.url}/ready`);
      assert.equal(notReady.status, 503, 'readiness while PostgreSQL is down');
      const states = (await notReady.json()) as Record<string, string>;
      assert.match(states.indexer ?? '', /^(failing: |no answer)/);
      assert.equal(states.incoming, 'ok');
      const restartedAt = performance.now();
      await postgresql.start();
      await untilAcknowledgedSince(restartedAt, '202s once PostgreSQL is back');
      assert.equal((await fetch(`${api.url}/ready`)).status, 200, 'readiness once it is back');
      const whileDown = startedIn(downAt, restartedAt);
      assert.deepEqual(unexpected(whileDown, [202, 503]), [], 'answers while PostgreSQL is down');
      assert.deepEqual(
        hung(whileDown, HANG_LIMIT_MS),
        [],
        'requests left hanging while PostgreSQL is down',
      );
      assert.deepEqual(badErrorBodies(whileDown), []);
      assert.equal(api.hasExited(), false, `orzo api exited: ${api.output().slice(-2000)}`);
      t.diagnostic(summary('started while PostgreSQL was down', whileDown));
    });
  }

  it('kept running and lost no acknowledged measure', async (t) => {
    await traffic.stop();
    assert.equal(api.hasExited(), false, `orzo api exited: ${api.output().slice(-2000)}`);
    const { sent } = traffic;
    assert.deepEqual(unexpected(sent, [202, 503]), [], 'every answer is a 202 or a 503');
    const audit = await auditIncomingAt(`file://${dataDir}`, {
      metricIds,
      sent,
      atomicRequests: false,
    });
    assert.deepEqual(audit.problems, []);
    t.diagnostic(
      `${sent.length} requests, ${audit.acknowledged} answered 202, ` +
        `${sent.filter(hasStatus(503)).length} answered 503, ${audit.measures} measures stored`,
    );
  });

  it('lets metricd finish its drain exactly once PostgreSQL is back', async (t) => {
    const policy = { ...E2E_POLICY, name: 'pg-outage', backWindow: 48 };
    const ids = await createPolicyAndMetrics(api.url, policy, 10);
    const random = mulberry32(20_261_205);
    const series = new Map(
      ids.map((id) => [id, makeSeries({ points: 600, start: 1_700_000_000, random })]),
    );
    await postBodies(api.url, batchBodies(series, 10), 4);
    // NOTE: the measures of the traffic above wait too; the policy's metrics are what is checked.
    const metricd = await launchMetricd({
      dataDir,
      flags: [...flags, '--workers', '2'],
      env: { ORZO_METRICD_TICK_SECONDS: '0.2', ORZO_METRICD_MAX_BLOCK_SIZE: '2' },
    });
    cleanups.push(() => metricd.kill('SIGKILL'));
    const backlog = async () =>
      (
        (await request(api.url, 'GET', '/v1/status?details=false')) as {
          storage: { summary: { measures: number } };
        }
      ).storage.summary.measures;
    const posted = await backlog();
    while ((await backlog()) === posted) await sleep(20);
    await postgresql.stop('SIGKILL');
    const waiting = await backlog();
    assert.ok(waiting > 0, 'the outage began in the middle of the drain');
    await sleep(3_000);
    assert.equal(metricd.hasExited(), false, `metricd exited: ${metricd.output().slice(-2000)}`);
    await postgresql.start();
    await waitForDrain(api.url, 120_000);
    assert.equal(metricd.hasExited(), false, `metricd exited: ${metricd.output().slice(-2000)}`);
    await metricd.stop();
    await assertAggregatesMatch(api.url, policy, series);
    t.diagnostic(
      `${waiting} measures waited when PostgreSQL went down; metricd logged ` +
        `${(metricd.output().match(/"level":50/g) ?? []).length} errors meanwhile`,
    );
  });
});
