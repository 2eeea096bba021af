/**
 * `/v1/subhealth`: the groups' settings (read, changed, refused with a message that says what is
 * wrong), the timeline and a check's findings, admins only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { SubhealthFinding } from '../../src/indexer/index.ts';
import { ADMIN, FOOBAR, startApi, type TestApi } from './harness.ts';

const S = 1_000_000;
/** 2027-01-15T08:00:00Z in µs. */
const T0 = Date.UTC(2027, 0, 15, 8) * 1000;

const finding = (instance: string, checkTime: number): SubhealthFinding => ({
  ctime: checkTime + 5,
  cluster: 'metricd_workers',
  checkTime,
  hostId: null,
  hostName: 'node-a',
  instanceId: `id-${instance}`,
  instanceName: instance,
  waits: 30,
  waitShare: 0.8,
  loadShare: 0.1,
  excess: 3.2,
  topWaits: { io_wait: 30 },
  dryRun: false,
});

/** The description of a JSON error body, which must have Gnocchi's shape. */
function errorDescription(response: { statusCode: number; json: () => unknown }): string {
  const body = response.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'description', 'title']);
  assert.equal(body.code, response.statusCode);
  return JSON.stringify(body.description);
}

describe('/v1/subhealth', () => {
  let api: TestApi;
  const request = (
    method: 'GET' | 'PATCH',
    url: string,
    payload?: unknown,
    authorization = ADMIN,
  ): Promise<Awaited<ReturnType<TestApi['app']['inject']>>> =>
    api.app.inject({
      method,
      url,
      headers: {
        authorization,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  before(async () => {
    api = await startApi({ now: () => new Date(T0 / 1000 + 60_000) });
  });
  after(async () => {
    await api.close();
  });

  it('shows the built-in groups off with their defaults, to admins only', async () => {
    const response = await request('GET', '/v1/subhealth/config');
    assert.equal(response.statusCode, 200);
    const { groups } = response.json<{ groups: Record<string, Record<string, unknown>> }>();
    assert.deepEqual(Object.keys(groups), ['agent_hosts', 'metricd_workers']);
    assert.equal(groups.metricd_workers?.enabled, false);
    assert.equal(groups.metricd_workers.intervalSeconds, 30);
    assert.equal(groups.metricd_workers.minShare, 0.5);
    assert.equal(groups.agent_hosts?.resourceType, 'host');
    const denied = await request('GET', '/v1/subhealth/config', undefined, FOOBAR);
    assert.equal(denied.statusCode, 403);
    const patched = await request('PATCH', '/v1/subhealth/config', {}, FOOBAR);
    assert.equal(patched.statusCode, 403);
  });

  it('changes a group, adds and deletes a user group, and persists the changes', async () => {
    const enabled = await request('PATCH', '/v1/subhealth/config', {
      metricd_workers: { enabled: true, minShare: 0.6, strategy: 'share' },
      vms: {
        resourceType: 'instance',
        filter: { flavor_name: 'm1.small' },
        waits: [{ name: 'steal', metrics: ['cpu_steal'] }],
        loads: [{ name: 'cpu', metrics: ['cpu'] }],
      },
    });
    assert.equal(enabled.statusCode, 200, enabled.body);
    const { groups } = enabled.json<{ groups: Record<string, Record<string, unknown>> }>();
    assert.deepEqual(Object.keys(groups), ['agent_hosts', 'metricd_workers', 'vms']);
    assert.equal(groups.metricd_workers?.strategy, 'share');
    assert.equal(groups.vms?.enabled, false);
    assert.deepEqual(
      (await api.indexer.listSubhealthGroups()).map((record) => [record.name, record.settings]),
      [
        ['metricd_workers', { enabled: true, minShare: 0.6, strategy: 'share' }],
        [
          'vms',
          {
            resourceType: 'instance',
            filter: { flavor_name: 'm1.small' },
            waits: [{ name: 'steal', metrics: ['cpu_steal'] }],
            loads: [{ name: 'cpu', metrics: ['cpu'] }],
          },
        ],
      ],
    );
    const reset = await request('PATCH', '/v1/subhealth/config', {
      metricd_workers: { minShare: null },
      vms: null,
    });
    assert.equal(reset.statusCode, 200);
    const after = reset.json<{ groups: Record<string, Record<string, unknown>> }>().groups;
    assert.deepEqual(Object.keys(after), ['agent_hosts', 'metricd_workers']);
    assert.equal(after.metricd_workers?.minShare, 0.5);
    assert.equal(after.metricd_workers.enabled, true);
  });

  it('refuses a change it cannot apply with a 4xx that says why, changing nothing', async () => {
    const before = await api.indexer.listSubhealthGroups();
    const cases: [unknown, number, RegExp][] = [
      [{ metricd_workers: { minShare: 2 } }, 400, /minShare must be a number from 0 to 1/],
      [{ metricd_workers: { enabled: true }, agent_hosts: { consecutive: 0 } }, 400, /consecutive/],
      [{ tenants: { enabled: true } }, 400, /tenants: resourceType must name a resource type/],
      [{ metricd_workers: { typo: 1 } }, 400, /unknown setting typo/],
      [{ nothing: null }, 404, /sub-health group nothing does not exist/],
      [[1, 2], 400, /expected an object of changes by group name/],
      [{ metricd_workers: 'on' }, 400, /expected an object of settings, or null/],
    ];
    for (const [payload, status, message] of cases) {
      const response = await request('PATCH', '/v1/subhealth/config', payload);
      assert.equal(response.statusCode, status, JSON.stringify(payload));
      assert.match(errorDescription(response), message);
    }
    assert.deepEqual(await api.indexer.listSubhealthGroups(), before);
  });

  it("answers the timeline and a check with each instance's trigger times", async () => {
    await api.indexer.addSubhealthFindings([
      finding('w1', T0 - 30 * S),
      finding('w1', T0),
      finding('w2', T0),
    ]);
    const timeline = await request(
      'GET',
      `/v1/subhealth/timeline?group=metricd_workers&start=${(T0 - 60 * S) / S}`,
    );
    assert.equal(timeline.statusCode, 200, timeline.body);
    assert.deepEqual(timeline.json(), {
      group: 'metricd_workers',
      start: '2027-01-15T07:59:00+00:00',
      stop: '2027-01-15T08:01:00+00:00',
      dry_run: false,
      interval_seconds: 30,
      timeline: [
        { check_time: '2027-01-15T07:59:30+00:00', slow_instances: 1 },
        { check_time: '2027-01-15T08:00:00+00:00', slow_instances: 2 },
      ],
    });
    const found = await request(
      'GET',
      '/v1/subhealth/findings?group=metricd_workers&check_time=2027-01-15T08:00:00Z',
    );
    assert.equal(found.statusCode, 200, found.body);
    const body = found.json<{ findings: Record<string, unknown>[] }>();
    assert.deepEqual(
      body.findings.map((row) => [row.instance_name, row.host_name, row.trigger_times]),
      [
        ['w1', 'node-a', 2],
        ['w2', 'node-a', 1],
      ],
    );
    assert.deepEqual(body.findings[0]?.top_waits, { io_wait: 30 });
  });

  it('names the argument that is missing or wrong', async () => {
    const cases: [string, number, RegExp][] = [
      ['/v1/subhealth/timeline', 400, /group/],
      ['/v1/subhealth/timeline?group=nope', 404, /sub-health group nope does not exist/],
      ['/v1/subhealth/timeline?group=agent_hosts&start=yesterday-ish', 400, /start/],
      ['/v1/subhealth/findings?group=agent_hosts', 400, /check_time/],
      ['/v1/subhealth/findings?group=agent_hosts&check_time=noonish', 400, /check_time/],
      ['/v1/subhealth/timeline?group=agent_hosts&dry_run=maybe', 400, /dry_run/],
    ];
    for (const [url, status, message] of cases) {
      const response = await request('GET', url);
      assert.equal(response.statusCode, status, url);
      assert.match(errorDescription(response), message, url);
    }
  });
});
