/**
 * The reporter election against real Redis: one active reporter at a time under an epoch that
 * every takeover bumps, takeover on a clean stop, on silence (after the grace) and on `fail`, a
 * reporter that loses Redis ceasing to act as active, the status document fenced by the lease,
 * and every metricd's report board.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Redis } from 'ioredis';

import type { MetricdStatus } from '../../../src/coordination/metricd-status.ts';
import { RedisStatusBoard } from '../../../src/coordination/redis/redis-status-board.ts';
import { ReportBoard, type MetricdReport } from '../../../src/coordination/redis/report-board.ts';
import {
  failActiveReporter,
  readReporterMap,
  ReporterElection,
  type ReporterElectionOptions,
  type ReporterRole,
} from '../../../src/coordination/redis/reporter-election.ts';
import { reporterKeys } from '../../../src/coordination/redis/reporter-keys.ts';
import { createRedisClient, quitRedisClient } from '../../../src/redis/redis-connection.ts';
import { privateRedisServer } from '../../support/redis.ts';
import { IDLE_OPS } from '../../support/metricd-status.ts';
import { useSharedRedis } from '../../support/shared-redis.ts';

const BEACON_MS = 100;
/** Added to protocol bounds so that a loaded machine does not fail them. */
const SLACK_MS = 2_000;

let client: Redis;
const { newPrefix } = useSharedRedis((connected) => (client = connected));
/** Elections started by the running test, stopped after it. */
let running: ReporterElection[] = [];

afterEach(async () => {
  await Promise.all(running.map((election) => election.stop()));
  running = [];
});

/** A reporter's election, recording its role changes; stopped after the test. */
function reporter(
  options: Pick<ReporterElectionOptions, 'prefix' | 'name' | 'graceMs'> &
    Partial<ReporterElectionOptions>,
): { election: ReporterElection; changes: [ReporterRole, number][] } {
  const changes: [ReporterRole, number][] = [];
  const election = new ReporterElection({
    client,
    host: 'test-host',
    pid: process.pid,
    beaconMs: BEACON_MS,
    onChange: (role, epoch) => changes.push([role, epoch]),
    ...options,
  });
  running.push(election);
  return { election, changes };
}

/** Polls `check` every 10 ms; returns the milliseconds it took, or throws after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - start;
}

describe('ReporterElection', () => {
  it('makes the first reporter active under epoch 1 and the next one standby', async () => {
    const prefix = newPrefix();
    const a = reporter({ prefix, name: 'host-a.1', graceMs: 2_000 });
    const b = reporter({ prefix, name: 'host-b.2', graceMs: 2_000 });
    await a.election.start();
    await b.election.start();

    assert.equal(a.election.role, 'active');
    assert.equal(a.election.epoch, 1);
    assert.equal(a.election.isActive(), true);
    assert.deepEqual(a.changes, [['active', 1]]);
    assert.equal(b.election.role, 'standby');
    assert.equal(b.election.isActive(), false);

    const map = await readReporterMap(client, prefix, 2_000);
    assert.equal(map.epoch, 1);
    assert.ok(map.active);
    assert.equal(map.active.name, 'host-a.1');
    assert.equal(map.active.role, 'active');
    assert.equal(map.active.host, 'test-host');
    assert.equal(map.active.pid, process.pid);
    assert.ok(map.active.activeSince !== undefined);
    assert.deepEqual(
      map.standbys.map(({ name, role }) => ({ name, role })),
      [{ name: 'host-b.2', role: 'standby' }],
    );
  });

  it('hands the lease to the standby within a beacon when the active one stops', async () => {
    const prefix = newPrefix();
    // NOTE: a long grace shows the takeover comes from the step-down, not the lease running out.
    const graceMs = 5_000;
    const a = reporter({ prefix, name: 'a', graceMs });
    const b = reporter({ prefix, name: 'b', graceMs });
    await a.election.start();
    await b.election.start();

    await a.election.stop();
    assert.equal(a.election.isActive(), false);
    const tookMs = await until(() => b.election.isActive(), 'the standby to take over');
    assert.ok(tookMs < BEACON_MS + SLACK_MS, `took ${tookMs} ms`);
    assert.equal(b.election.epoch, 2);
    assert.deepEqual(b.changes.at(-1), ['active', 2]);

    const map = await readReporterMap(client, prefix, graceMs);
    assert.equal(map.active?.name, 'b');
    assert.deepEqual(map.standbys, [], 'a stopped reporter leaves the map');
  });

  it('hands the lease to the standby after the grace when the active one falls silent', async () => {
    const prefix = newPrefix();
    const graceMs = 600;
    // NOTE: a beacon period far beyond the test stands for a reporter that crashed after start.
    const silent = reporter({ prefix, name: 'silent', graceMs, beaconMs: 60_000 });
    const b = reporter({ prefix, name: 'b', graceMs });
    const start = Date.now();
    await silent.election.start();
    await b.election.start();
    assert.equal(silent.election.isActive(), true);
    assert.equal(b.election.role, 'standby');

    await until(() => b.election.isActive(), 'the standby to take over');
    const tookMs = Date.now() - start;
    // NOTE: the lease was set after `start`, so it cannot run out sooner (less ms rounding).
    assert.ok(tookMs >= graceMs - 50, `took over after ${tookMs} ms, before the grace`);
    assert.ok(tookMs < graceMs + BEACON_MS + SLACK_MS, `took ${tookMs} ms`);
    assert.equal(b.election.epoch, 2);
    // NOTE: the silent one never heard it lost, but its own clock says its lease may be gone.
    assert.equal(silent.election.role, 'active');
    assert.equal(silent.election.isActive(), false);
  });

  it('stops acting as active by its own clock, however long Redis keeps the lease', async () => {
    const graceMs = 10_000;
    let clock = 1_000;
    const { election } = reporter({
      prefix: newPrefix(),
      name: 'a',
      graceMs,
      beaconMs: 60_000,
      now: () => clock,
    });
    await election.start();
    assert.equal(election.isActive(), true);
    clock += graceMs;
    assert.equal(election.isActive(), false);
    assert.equal(election.role, 'active');
  });

  it('fails the active reporter over to a standby and bars it for one grace', async () => {
    const prefix = newPrefix();
    const graceMs = 3_000;
    const a = reporter({ prefix, name: 'a', graceMs });
    const b = reporter({ prefix, name: 'b', graceMs });
    await a.election.start();
    await b.election.start();

    assert.deepEqual(await failActiveReporter(client, prefix, graceMs, 'b'), {
      outcome: 'not-active',
      active: 'a',
    });
    assert.equal(a.election.isActive(), true);

    const failedAt = Date.now();
    assert.deepEqual(await failActiveReporter(client, prefix, graceMs, 'a'), {
      outcome: 'failed',
      name: 'a',
    });
    await until(() => b.election.isActive(), 'the standby to take over');
    assert.equal(b.election.epoch, 2);
    await until(() => a.election.role === 'standby', 'the failed reporter to step down');
    assert.equal(a.election.isActive(), false);

    // NOTE: with no standby left, only the bar keeps the failed reporter from the free lease.
    await b.election.stop();
    await sleep(3 * BEACON_MS);
    assert.ok(Date.now() - failedAt < graceMs - 500, 'too slow to observe the bar');
    assert.equal(a.election.role, 'standby');
    assert.equal((await readReporterMap(client, prefix, graceMs)).active, null);

    await until(
      () => a.election.isActive(),
      'the failed reporter to come back',
      graceMs + SLACK_MS,
    );
    const backAfterMs = Date.now() - failedAt;
    assert.ok(backAfterMs >= graceMs - 50, `came back after ${backAfterMs} ms, inside its bar`);
    assert.equal(a.election.epoch, 3);
  });

  it('fails no one when no reporter is active', async () => {
    assert.deepEqual(await failActiveReporter(client, newPrefix(), 1_000), { outcome: 'none' });
    assert.deepEqual(await failActiveReporter(client, newPrefix(), 1_000, 'a'), {
      outcome: 'none',
    });
  });

  it('stops acting as active when Redis is unreachable, and recovers when it is back', async () => {
    const server = await privateRedisServer();
    const clients: Redis[] = [];
    try {
      await server.start();
      const graceMs = 600;
      const errors: unknown[] = [];
      const onOwnClient = (name: string) => {
        const own = createRedisClient(server.url);
        clients.push(own);
        return reporter({
          client: own,
          prefix: 'orzo-election:',
          name,
          graceMs,
          onError: (error) => errors.push(error),
        }).election;
      };
      const a = onOwnClient('a');
      const b = onOwnClient('b');
      await a.start();
      await b.start();
      assert.equal(a.isActive(), true);

      await server.stop('SIGKILL');
      // NOTE: its last good beacon was sent before the kill, so its validity ends within a grace.
      await sleep(graceMs);
      assert.equal(a.isActive(), false);
      await until(() => a.role === 'standby', 'the active reporter to step down');
      assert.ok(errors.length > 0, 'failed beacons were not reported');

      await server.start();
      await until(() => a.isActive() || b.isActive(), 'a reporter to take the lease again', 20_000);
      assert.ok(!(a.isActive() && b.isActive()), 'two active reporters');
      // NOTE: the loser's client may still be waiting to reconnect, and fails fast meanwhile.
      const reader = createRedisClient(server.url);
      clients.push(reader);
      const map = await readReporterMap(reader, 'orzo-election:', graceMs);
      assert.equal(map.active?.name, a.isActive() ? 'a' : 'b');
      assert.ok(map.epoch >= 2, `epoch ${map.epoch} did not move on`);
    } finally {
      await Promise.all(running.map((election) => election.stop()));
      running = [];
      await Promise.all(clients.map((own) => quitRedisClient(own)));
      await server.dispose();
    }
  });
});

describe('RedisStatusBoard', () => {
  it('publishes only for the reporter holding the lease under its epoch', async () => {
    const prefix = newPrefix();
    const graceMs = 3_000;
    const a = reporter({ prefix, name: 'a', graceMs });
    const b = reporter({ prefix, name: 'b', graceMs });
    await a.election.start();
    await b.election.start();
    const reader = new RedisStatusBoard({ client, prefix });
    const boardOf = (name: string, epoch: () => number) =>
      new RedisStatusBoard({ client, prefix, writer: () => ({ name, epoch: epoch() }) });

    assert.equal(await reader.read(), undefined);
    assert.equal(await reader.publish(statusOf('reader')), false, 'a reader published');
    assert.equal(await boardOf('a', () => a.election.epoch).publish(statusOf('a')), true);
    assert.deepEqual(await reader.read(), statusOf('a'));
    assert.equal(await boardOf('b', () => b.election.epoch).publish(statusOf('b')), false);

    await failActiveReporter(client, prefix, graceMs);
    await until(() => b.election.isActive(), 'the standby to take over');
    // NOTE: the deposed reporter, under the epoch it was elected with and under the current one.
    assert.equal(await boardOf('a', () => 1).publish(statusOf('a')), false);
    assert.equal(await boardOf('a', () => 2).publish(statusOf('a')), false);
    assert.equal(await boardOf('b', () => 1).publish(statusOf('b')), false, 'a stale epoch');
    assert.deepEqual(await reader.read(), statusOf('a'));

    assert.equal(await boardOf('b', () => b.election.epoch).publish(statusOf('b')), true);
    assert.deepEqual(await reader.read(), statusOf('b'));
    await reader.close();
  });
});

describe('ReportBoard', () => {
  it('reads back every report, sorted by name and stamped, empty arrays kept', async () => {
    const board = new ReportBoard(client, newPrefix());
    await board.report(reportOf('m2'));
    await board.report(reportOf('m1'));
    await board.report({ ...reportOf('m1'), slots: 8 });

    const reports = await board.read(60_000);
    assert.deepEqual(
      reports.map(({ reportedAt: _, ...report }) => report),
      [{ ...reportOf('m1'), slots: 8 }, reportOf('m2')],
    );
    for (const { reportedAt } of reports) {
      assert.ok(Math.abs(Date.parse(reportedAt) - Date.now()) < 60_000, reportedAt);
    }
  });

  it('removes a report', async () => {
    const board = new ReportBoard(client, newPrefix());
    await board.report(reportOf('m1'));
    await board.report(reportOf('m2'));
    await board.remove('m1');
    assert.deepEqual(
      (await board.read(60_000)).map(({ name }) => name),
      ['m2'],
    );
  });

  it('drops reports older than the maximum age', async () => {
    const prefix = newPrefix();
    const board = new ReportBoard(client, prefix);
    await board.report(reportOf('m1'));
    await sleep(100);
    assert.deepEqual(await board.read(20), []);
    assert.equal(await client.hlen(reporterKeys(prefix).reports), 0);
    assert.deepEqual(await board.read(60_000), []);
  });
});

function statusOf(name: string): MetricdStatus {
  return {
    reporter: {
      name,
      host: 'test-host',
      pid: 1,
      startedAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:05.000Z',
      tickSeconds: 1,
      blockSize: 16,
      backlog: { metrics: 0, batches: 0, measures: 0 },
      modules: { janitor: { metrics_expunged: 0 } },
      ops: IDLE_OPS,
    },
    workers: [],
  };
}

function reportOf(name: string): MetricdReport {
  return { name, host: 'test-host', pid: 1, slots: 4, workers: [] };
}
