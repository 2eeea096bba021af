/**
 * The `verified` auth mode over HTTP: every endpoint under `/v1` refuses a caller without valid
 * credentials before reading its body, with a challenge and Gnocchi's JSON error body; the probes
 * stay open; users and tokens get what the policy gives them; metric listings show a caller only
 * what it may read; and a guessing client is locked out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { issueApiToken } from '../../src/api/auth/api-token.ts';
import { hashPassword } from '../../src/api/auth/password-hash.ts';
import { startApi, type TestApi } from './harness.ts';

const FAST = { N: 1024, r: 8, p: 1 };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basic('alice', 'alice-pw');
const BOB = basic('bob', 'bob-pw');
const ADMIN = basic('admin', 'admin-pw');
const ID = '5a301761-f78b-46e2-8900-8b4f6fe6675a';

/** Every route under /v1, with the methods it serves. */
const V1_ENDPOINTS: readonly (readonly [string, string])[] = [
  ['GET', '/v1'],
  ['GET', '/v1/'],
  ['GET', '/v1/capabilities'],
  ['GET', '/v1/archive_policy'],
  ['POST', '/v1/archive_policy'],
  ['GET', '/v1/archive_policy/low'],
  ['PATCH', '/v1/archive_policy/low'],
  ['DELETE', '/v1/archive_policy/low'],
  ['GET', '/v1/archive_policy_rule'],
  ['POST', '/v1/archive_policy_rule'],
  ['GET', '/v1/archive_policy_rule/default'],
  ['PATCH', '/v1/archive_policy_rule/default'],
  ['DELETE', '/v1/archive_policy_rule/default'],
  ['POST', '/v1/aggregates'],
  ['GET', '/v1/aggregation/metric'],
  ['POST', '/v1/aggregation/metric'],
  ['POST', '/v1/aggregation/resource/generic/metric/cpu'],
  ['GET', '/v1/metric'],
  ['POST', '/v1/metric'],
  ['GET', `/v1/metric/${ID}`],
  ['DELETE', `/v1/metric/${ID}`],
  ['GET', `/v1/metric/${ID}/measures`],
  ['POST', `/v1/metric/${ID}/measures`],
  ['POST', '/v1/batch/metrics/measures'],
  ['POST', '/v1/batch/resources/metrics/measures'],
  ['GET', '/v1/resource'],
  ['GET', '/v1/resource_type'],
  ['POST', '/v1/resource_type'],
  ['GET', '/v1/resource_type/generic'],
  ['PATCH', '/v1/resource_type/generic'],
  ['DELETE', '/v1/resource_type/generic'],
  ['GET', '/v1/resource/generic'],
  ['POST', '/v1/resource/generic'],
  ['DELETE', '/v1/resource/generic'],
  ['GET', `/v1/resource/generic/${ID}`],
  ['PATCH', `/v1/resource/generic/${ID}`],
  ['DELETE', `/v1/resource/generic/${ID}`],
  ['GET', `/v1/resource/generic/${ID}/history`],
  ['GET', `/v1/resource/generic/${ID}/metric`],
  ['POST', `/v1/resource/generic/${ID}/metric`],
  ['GET', `/v1/resource/generic/${ID}/metric/cpu`],
  ['GET', `/v1/resource/generic/${ID}/metric/cpu/measures`],
  ['POST', `/v1/resource/generic/${ID}/metric/cpu/measures`],
  ['POST', '/v1/search/resource/generic'],
  ['POST', '/v1/search/metric'],
  ['GET', '/v1/status'],
  ['GET', '/v1/ops/in-flight'],
];

describe('the verified auth mode', () => {
  let api: TestApi;
  let token: string;

  before(async () => {
    api = await startApi({ api: { auth: 'verified', authFailureLimit: 5 } });
    const users = [
      ['alice', 'alice-pw', 'p1', []],
      ['bob', 'bob-pw', 'p2', []],
      ['admin', 'admin-pw', null, ['admin']],
    ] as const;
    for (const [name, password, projectId, roles] of users) {
      await api.indexer.createUser({
        name,
        passwordHash: await hashPassword(password, FAST),
        projectId,
        roles,
        createdAt: 0,
      });
    }
    const issued = issueApiToken();
    await api.indexer.createApiToken({
      id: issued.id,
      user: 'alice',
      secretHash: issued.secretHash,
      description: null,
      createdAt: 0,
      expiresAt: null,
    });
    token = issued.text;
    const policy = await request('POST', '/v1/archive_policy', ADMIN, {
      name: 'low',
      definition: [{ granularity: '5 minutes', points: 12 }],
    });
    assert.equal(policy.status, 201);
  });
  after(() => api.close());

  const request = (
    method: string,
    url: string,
    authorization: string | null,
    body?: unknown,
    client = '127.0.0.1',
  ) =>
    api.app
      .inject({
        method: method as 'GET',
        url,
        remoteAddress: client,
        headers: {
          'content-type': 'application/json',
          ...(authorization === null ? {} : { authorization }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      })
      .then((response) => ({
        status: response.statusCode,
        headers: response.headers,
        json: () => JSON.parse(response.body) as unknown,
      }));

  it('refuses every endpoint under /v1 without credentials, and with wrong ones', async () => {
    for (const [method, url] of V1_ENDPOINTS) {
      for (const [authorization, client] of [
        [null, '10.0.0.1'],
        [basic('alice', 'wrong'), '10.0.0.2'],
        [basic('admin', ''), '10.0.0.3'],
        ['Bearer orzo_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '10.0.0.4'],
      ] as const) {
        // NOTE: a client of its own per kind of refusal, each failing once per endpoint, is
        // locked out long before the table ends; a fresh address per request keeps it apart.
        const address = `${client}${V1_ENDPOINTS.findIndex(([m, u]) => m === method && u === url)}`;
        const response = await request(method, url, authorization, {}, address);
        assert.equal(response.status, 401, `${method} ${url} (${authorization ?? 'anonymous'})`);
        assert.equal(
          response.headers['www-authenticate'],
          'Basic realm="orzo", Bearer realm="orzo"',
        );
        assert.deepEqual(
          (response.json() as { code: number; title: string }).title,
          'Unauthorized',
        );
      }
    }
  });

  it('cannot be gone around by spelling the path otherwise', async () => {
    for (const url of ['/%761/metric', '/v1/%6detric', '/v1/metric/', '/v1/metric?x=1']) {
      const response = await request('GET', url, null, undefined, '10.2.0.1');
      assert.ok([401, 404].includes(response.status), `${url}: ${response.status}`);
    }
  });

  it('keeps /, the probes and the scrape target open', async () => {
    for (const url of ['/', '/healthcheck', '/ready', '/metrics']) {
      const response = await request('GET', url, null);
      assert.equal(response.status, 200, url);
    }
  });

  it('refuses an anonymous body before reading it', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${ID}/measures`,
      remoteAddress: '10.1.0.1',
      headers: { 'content-type': 'application/json' },
      payload: 'not json at all',
    });
    assert.equal(response.statusCode, 401);
  });

  it('gives each user what the policy gives it, and lists only what it may read', async () => {
    const created = await request('POST', '/v1/metric', ALICE, { archive_policy_name: 'low' });
    assert.equal(created.status, 201);
    const alices = (created.json() as { id: string; creator: string }).id;
    assert.equal((created.json() as { creator: string }).creator, 'alice:p1');
    const bobs = (
      (await request('POST', '/v1/metric', BOB, { archive_policy_name: 'low' })).json() as {
        id: string;
      }
    ).id;
    const measures = [{ timestamp: '2026-12-01T00:00:00Z', value: 1 }];
    const viaToken = `Bearer ${token}`;
    assert.equal(
      (await request('POST', `/v1/metric/${alices}/measures`, viaToken, measures)).status,
      202,
    );
    assert.equal(
      (await request('POST', `/v1/metric/${alices}/measures`, BOB, measures)).status,
      403,
    );
    assert.equal((await request('GET', `/v1/metric/${alices}`, BOB)).status, 403);
    assert.equal((await request('GET', `/v1/metric/${alices}`, ADMIN)).status, 200);
    const listed = async (authorization: string) =>
      ((await request('GET', '/v1/metric', authorization)).json() as { id: string }[])
        .map((metric) => metric.id)
        .sort();
    assert.deepEqual(await listed(ALICE), [alices]);
    assert.deepEqual(await listed(viaToken), [alices]);
    assert.deepEqual(await listed(BOB), [bobs]);
    assert.deepEqual(await listed(ADMIN), [alices, bobs].sort());
    assert.equal((await request('GET', '/v1/status', ALICE)).status, 403);
    assert.equal((await request('GET', '/v1/status', ADMIN)).status, 200);
    assert.equal(
      (
        await request('POST', '/v1/archive_policy', ALICE, {
          name: 'x',
          definition: [{ granularity: '1s', points: 2 }],
        })
      ).status,
      403,
    );
  });

  it('shows a project the metrics of its resources, created by anyone', async () => {
    const resource = await request('POST', '/v1/resource/generic', ADMIN, {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      project_id: 'p2',
      metrics: { cpu: { archive_policy_name: 'low' } },
    });
    assert.equal(resource.status, 201);
    const cpu = (resource.json() as { metrics: { cpu: string } }).metrics.cpu;
    const bobSees = (await request('GET', '/v1/metric', BOB)).json() as { id: string }[];
    assert.ok(bobSees.some((metric) => metric.id === cpu));
    const aliceSees = (await request('GET', '/v1/metric', ALICE)).json() as { id: string }[];
    assert.ok(!aliceSees.some((metric) => metric.id === cpu));
    assert.equal((await request('GET', `/v1/metric/${cpu}/measures`, BOB)).status, 200);
  });

  it('locks out a client guessing passwords, with Retry-After, and no one else', async () => {
    const attacker = '10.9.9.9';
    for (let guess = 0; guess < 5; guess += 1) {
      const response = await request(
        'GET',
        '/v1/metric',
        basic('admin', `guess-${guess}`),
        undefined,
        attacker,
      );
      assert.equal(response.status, 401);
    }
    const locked = await request('GET', '/v1/metric', ADMIN, undefined, attacker);
    assert.equal(locked.status, 429);
    assert.match(String(locked.headers['retry-after']), /^\d+$/);
    assert.ok(Number(locked.headers['retry-after']) <= 60);
    assert.match(
      (locked.json() as { description: string }).description,
      /Too many failed authentications/,
    );
    assert.equal((await request('GET', '/v1/metric', ADMIN, undefined, '10.9.9.10')).status, 200);
  });
});
