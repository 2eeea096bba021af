/**
 * Requests as ops and `GET /v1/ops/<dump>`: each request's timeline, an aborted one's; a request
 * held in flight seen in flight, then blocked and slow in `/v1/status`, then in the slow history;
 * admins only; filters; metricd's dumps gathered over a real admin socket; tracking off.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  gatherMetricdOps,
  isOpsCommand,
  serveAdminSocket,
  type AdminSocket,
} from '../../src/coordination/index.ts';
import { dumpOps, OPS_DUMPS, type OpJson, type OpsDump } from '../../src/optracker/index.ts';
import { FakeClock, RecordingLogger, makeTracker } from '../optracker/tracker-harness.ts';
import { description, runCases, type Check } from './cases.ts';
import { ADMIN, startApi, type TestApi } from './harness.ts';

/** This process's name among the dumps. */
const API_NAME = `${hostname()}.${process.pid}.api`;
const AS_ADMIN = { authorization: ADMIN, 'content-type': 'application/json' };

interface OpsAnswer {
  readonly api: Record<string, OpsDump>;
  readonly metricd: Record<string, OpsDump>;
}

async function askOps(api: TestApi, dump: string, query = ''): Promise<OpsAnswer> {
  const response = await api.app.inject({
    method: 'GET',
    url: `/v1/ops/${dump}${query}`,
    headers: { authorization: ADMIN },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<OpsAnswer>();
}

/** The API's ops in a dump. */
async function apiOps(api: TestApi, dump: string, query = ''): Promise<readonly OpJson[]> {
  const dumped = (await askOps(api, dump, query)).api[API_NAME];
  assert.ok(dumped, `no dump named ${API_NAME}`);
  return dumped.ops;
}

/** Waits for `condition`, which an event outside the test's reach makes true. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await condition()) return;
    await sleep(10);
  }
  assert.fail(`never happened: ${what}`);
}

const describing = (text: string): string => `?description=${encodeURIComponent(text)}`;
const eventsOf = (op: OpJson | undefined): string[] => (op?.events ?? []).map((e) => e.event);

async function createMetric(api: TestApi): Promise<string> {
  await api.app.inject({
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    payload: { name: 'p', definition: [{ granularity: 1 }] },
  });
  const metric = await api.app.inject({
    method: 'POST',
    url: '/v1/metric',
    headers: AS_ADMIN,
    payload: { archive_policy_name: 'p' },
  });
  return metric.json<{ id: string }>().id;
}

describe('requests as ops', () => {
  let api: TestApi;
  let id: string;

  before(async () => {
    api = await startApi();
    id = await createMetric(api);
  });
  after(() => api.close());

  it('follows a POST of measures from initiated to done', async () => {
    const posted = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${id}/measures`,
      headers: AS_ADMIN,
      payload: [{ timestamp: 100, value: 1 }],
    });
    assert.equal(posted.statusCode, 202);
    const [op, ...others] = await apiOps(api, 'historic', describing(`POST /v1/metric/${id}`));
    assert.deepEqual(others, []);
    assert.equal(op?.kind, 'request');
    assert.deepEqual(eventsOf(op), [
      'initiated',
      'received',
      'validated',
      'stored',
      'replied',
      'done',
    ]);
    assert.equal(typeof op.duration, 'number');
  });

  it('marks read on GET measures, and leaves the query string out', async () => {
    const read = await api.app.inject({
      method: 'GET',
      url: `/v1/metric/${id}/measures?aggregation=mean`,
      headers: AS_ADMIN,
    });
    assert.equal(read.statusCode, 200);
    const ops = await apiOps(api, 'historic', describing(`GET /v1/metric/${id}`));
    assert.deepEqual(
      ops.map((op) => [op.description, eventsOf(op)]),
      [
        [
          `GET /v1/metric/${id}/measures`,
          ['initiated', 'received', 'validated', 'read', 'replied', 'done'],
        ],
      ],
    );
  });

  it('tracks refused requests too', async () => {
    const refused = await api.app.inject({ method: 'GET', url: '/v1/status' });
    assert.equal(refused.statusCode, 401);
    const ops = await apiOps(api, 'historic', describing('GET /v1/status'));
    assert.deepEqual(eventsOf(ops.at(-1)), ['initiated', 'received', 'replied', 'done']);
  });

  it('finishes a request whose client went away, marked aborted', async () => {
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/metric/${id}/measures?half HTTP/1.1\r\nHost: orzo\r\nAuthorization: ${ADMIN}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n[',
    );
    const posting = describing(`POST /v1/metric/${id}`);
    const inFlight = async () => (await apiOps(api, 'in-flight', posting)).length;
    await until(async () => (await inFlight()) === 1, 'the half-sent request in flight');
    socket.destroy();
    await until(async () => (await inFlight()) === 0, 'the request out of flight');
    const ops = await apiOps(api, 'historic', posting);
    assert.deepEqual(eventsOf(ops.at(-1)), ['initiated', 'aborted', 'done']);
  });

  it('lists the dump request itself in flight', async () => {
    const ops = await apiOps(api, 'in-flight');
    assert.deepEqual(
      ops.map((op) => [op.description, eventsOf(op)]),
      [['GET /v1/ops/in-flight', ['initiated', 'received', 'validated']]],
    );
  });

  it('filters by exact kind and by description substring', async () => {
    const requests = await apiOps(api, 'historic', '?kind=request');
    assert.ok(requests.length >= 4);
    assert.deepEqual(await apiOps(api, 'historic', '?kind=req'), []);
    const both = await apiOps(api, 'historic', `?kind=request&description=${id.slice(0, 8)}`);
    assert.deepEqual(
      both.map((op) => op.description.split(' ')[0]),
      ['POST', 'GET', 'POST'],
      'the POST and the GET of measures, and the aborted POST',
    );
  });

  it('orders historic-by-duration slowest first', async () => {
    const ops = await apiOps(api, 'historic-by-duration');
    const durations = ops.map((op) => op.duration ?? -1);
    assert.deepEqual(
      durations,
      [...durations].sort((a, b) => b - a),
    );
  });
});

describe('requests as ops, on connections closed with requests pipelined', () => {
  let api: TestApi;
  let id: string;

  before(async () => {
    api = await startApi();
    id = await createMetric(api);
  });
  after(() => api.close());

  it('finishes every pipelined request of a connection its client closed', async () => {
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const reads = describing(`GET /v1/metric/${id}/measures`);
    for (let round = 0; round < 20; round++) {
      const socket = connect(Number(new URL(address).port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const request = `GET /v1/metric/${id}/measures HTTP/1.1\r\nHost: orzo\r\nAuthorization: ${ADMIN}\r\n\r\n`;
      socket.write(request.repeat(50));
      await new Promise((resolve) => setImmediate(resolve));
      socket.destroy();
    }
    await until(
      async () => (await apiOps(api, 'in-flight', reads)).length === 0,
      'no read left in flight',
    );
  });
});

describe('a request held in flight', () => {
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let enter = (): void => undefined;
  const entered = new Promise<void>((resolve) => {
    enter = resolve;
  });
  let api: TestApi;
  let id: string;

  before(async () => {
    api = await startApi({
      refresh: async () => {
        enter();
        await held;
        return true;
      },
      opsNow: clock.now,
      opsLogger: logger,
      ops: { complaintTimeSeconds: 5, slowThresholdSeconds: 5 },
    });
    id = await createMetric(api);
  });
  after(() => api.close());

  it('is in flight, then blocked and slow in /v1/status, then in the slow history', async () => {
    const reading = api.app.inject({
      method: 'GET',
      url: `/v1/metric/${id}/measures?refresh=true`,
      headers: AS_ADMIN,
    });
    await entered;
    const [inFlight] = await apiOps(api, 'in-flight', describing(id));
    assert.deepEqual(eventsOf(inFlight), ['initiated', 'received', 'validated']);
    assert.deepEqual(await apiOps(api, 'blocked', describing(id)), []);

    clock.advance(6_000);
    assert.deepEqual(api.tracker.checkSlowOps(), { slowOps: 1, warned: 1 });
    const [warning] = logger.warnings;
    assert.equal(warning?.message, 'slow op');
    assert.equal(warning.fields.description, `GET /v1/metric/${id}/measures`);
    const blocked = (await askOps(api, 'blocked')).api[API_NAME];
    assert.ok(blocked);
    const { ops: blockedOps, ...bounds } = blocked;
    assert.deepEqual(bounds, { enabled: true, num_ops: 1, complaint_time: 5, oldest_age: 6 });
    assert.deepEqual(
      blockedOps.map((op) => [op.description, op.age]),
      [[`GET /v1/metric/${id}/measures`, 6]],
    );
    const status = await api.app.inject({
      method: 'GET',
      url: '/v1/status',
      headers: { authorization: ADMIN },
    });
    const { ops } = status.json<{ ops: { api: Record<string, unknown> } }>();
    assert.equal(ops.api.slowOps, 1);
    assert.equal(ops.api.oldestSlowAgeSeconds, 6);

    release();
    assert.equal((await reading).statusCode, 200);
    assert.deepEqual(await apiOps(api, 'in-flight', describing(id)), []);
    const [slow] = await apiOps(api, 'historic-slow', describing(id));
    assert.deepEqual(eventsOf(slow), [
      'initiated',
      'received',
      'validated',
      'refreshed',
      'read',
      'replied',
      'done',
    ]);
    assert.equal(slow?.duration, 6);
  });
});

/** The answer holds this API's dump, with the bounds of `dump`, and no metricd. */
function dumpOf(dump: string, bounds: Record<string, unknown>): Check {
  return (response) => {
    const answer = response.json() as OpsAnswer;
    assert.deepEqual(Object.keys(answer.api), [API_NAME], dump);
    assert.deepEqual(answer.metricd, {});
    const { enabled, ops, ...rest } = answer.api[API_NAME] as OpsDump & Record<string, unknown>;
    assert.equal(enabled, true);
    assert.ok(Array.isArray(ops));
    assert.deepEqual(Object.keys(rest).sort(), ['num_ops', ...Object.keys(bounds)].sort());
    for (const [key, value] of Object.entries(bounds)) assert.equal(rest[key], value, key);
  };
}

const BOUNDS: Readonly<Record<(typeof OPS_DUMPS)[number], Record<string, unknown>>> = {
  'in-flight': {},
  blocked: { complaint_time: 30, oldest_age: null },
  historic: { size: 200, duration: 600 },
  'historic-by-duration': { size: 200, duration: 600 },
  'historic-slow': { size: 20, threshold: 10 },
};

runCases('GET /v1/ops/<dump>', [
  ...OPS_DUMPS.map((dump) => ({
    name: `answers ${dump} to an admin`,
    method: 'GET',
    url: `/v1/ops/${dump}`,
    headers: { authorization: ADMIN },
    status: 200,
    expect: dumpOf(dump, BOUNDS[dump]),
  })),
  {
    name: 'is refused to anonymous callers',
    method: 'GET',
    url: '/v1/ops/in-flight',
    headers: { authorization: null },
    status: 401,
  },
  {
    name: 'is refused to other users',
    method: 'GET',
    url: '/v1/ops/in-flight',
    status: 403,
  },
  {
    name: 'refuses other users before saying a dump does not exist',
    method: 'GET',
    url: '/v1/ops/nope',
    status: 403,
  },
  {
    name: 'answers 404 for an unknown dump',
    method: 'GET',
    url: '/v1/ops/nope',
    headers: { authorization: ADMIN },
    status: 404,
    expect: description(/Op dump nope does not exist; the dumps are in-flight, blocked/),
  },
  {
    name: 'refuses an empty kind',
    method: 'GET',
    url: '/v1/ops/historic?kind=',
    headers: { authorization: ADMIN },
    status: 400,
    expect: description({ cause: 'Argument value error' }),
  },
  {
    name: 'refuses a repeated description',
    method: 'GET',
    url: '/v1/ops/historic?description=a&description=b',
    headers: { authorization: ADMIN },
    status: 400,
  },
  {
    name: 'ignores other arguments, as Gnocchi does',
    method: 'GET',
    url: '/v1/ops/historic?colour=red',
    headers: { authorization: ADMIN },
    status: 200,
  },
  {
    name: 'answers 405 to other methods',
    method: 'POST',
    url: '/v1/ops/historic',
    headers: { authorization: ADMIN },
    status: 405,
  },
]);

describe("GET /v1/ops/<dump> with metricd's dumps", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-api-ops-'));
  const { tracker: metricdTracker } = makeTracker();
  let socket: AdminSocket;
  let api: TestApi;

  before(async () => {
    mkdirSync(join(dataDir, 'metricd'));
    socket = await serveAdminSocket(join(dataDir, 'metricd', 'vm.1.asok'), (command) =>
      Promise.resolve(
        isOpsCommand(command)
          ? { 'vm.1.reporter': dumpOps(metricdTracker, command.dump, command.filter) }
          : { error: 'unknown command' },
      ),
    );
    metricdTracker.begin('process_metric', 'metric aaaa');
    metricdTracker.begin('process_metric', 'metric bbbb');
    api = await startApi({ metricdOps: (command) => gatherMetricdOps(dataDir, command, 2_000) });
  });
  after(async () => {
    await api.close();
    await socket.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("adds every metricd process's dump, filtered alike", async () => {
    const answer = await askOps(api, 'in-flight', '?kind=process_metric&description=bbbb');
    assert.equal(answer.api[API_NAME]?.num_ops, 0, 'the request is no process_metric');
    assert.deepEqual(Object.keys(answer.metricd), ['vm.1.reporter']);
    assert.deepEqual(
      answer.metricd['vm.1.reporter']?.ops.map((op) => op.description),
      ['metric bbbb'],
    );
  });
});

describe('GET /v1/ops/<dump> with tracking off', () => {
  let api: TestApi;
  let id: string;

  before(async () => {
    api = await startApi({ ops: { enabled: false } });
    id = await createMetric(api);
  });
  after(() => api.close());

  it('still answers requests', async () => {
    const posted = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${id}/measures`,
      headers: AS_ADMIN,
      payload: [{ timestamp: 100, value: 1 }],
    });
    assert.equal(posted.statusCode, 202);
  });

  for (const dump of OPS_DUMPS) {
    it(`says so in ${dump}`, async () => {
      const dumped = (await askOps(api, dump)).api[API_NAME];
      assert.equal(dumped?.enabled, false);
      assert.equal(dumped.num_ops, 0);
      assert.deepEqual(dumped.ops, []);
    });
  }

  it('says so in /v1/status', async () => {
    const status = await api.app.inject({
      method: 'GET',
      url: '/v1/status',
      headers: { authorization: ADMIN },
    });
    assert.deepEqual(status.json<{ ops: unknown }>().ops, {
      api: {
        enabled: false,
        inFlight: 0,
        slowOps: 0,
        oldestSlowAgeSeconds: null,
        oldestAgeSeconds: null,
        complaintTimeSeconds: 30,
        untracked: 0,
      },
    });
  });
});
