/**
 * The keystone mode against a real Keystone (Debian's package, started by the test): tokens
 * validated with a service user, the cache and what it honours (expiry, its own limit), revoked,
 * expired and made-up tokens, the service token's renewal, Keystone out of reach; then the API
 * in that mode, where the policy sees Keystone's users, projects and roles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  KeystoneAuthenticator,
  KeystoneUnavailableError,
  type KeystoneAuthOptions,
} from '../../../src/api/auth/keystone-authenticator.ts';
import {
  AuthenticationRequiredError,
  InvalidCredentialsError,
} from '../../../src/api/http/request-errors.ts';
import { freePort } from '../../support/free-port.ts';
import { startKeystone, type Keystone } from '../../support/keystone.ts';
import { startApi, type TestApi } from '../harness.ts';

/** Short, so that the test sees tokens, the service's included, expire. */
const TOKEN_SECONDS = 8;

describe('the keystone auth mode, against a real Keystone', () => {
  let keystone: Keystone;
  let validations: number;
  let settings: KeystoneAuthOptions;
  const countingFetch: typeof fetch = (input, init) => {
    if (init?.method === 'GET') validations += 1;
    return fetch(input, init);
  };
  const authenticator = (extra: Partial<KeystoneAuthOptions> = {}) =>
    new KeystoneAuthenticator({ ...settings, ...extra });
  const token = (user: string) =>
    keystone.issueToken(user, `${user}-pw`, user === 'alice' ? 'p1' : 'p2');

  before(async () => {
    keystone = await startKeystone(TOKEN_SECONDS);
    await keystone.addServiceUser('orzo', 'orzo-pw');
    await keystone.addMember('alice', 'alice-pw', 'p1');
    await keystone.addMember('bob', 'bob-pw', 'p2');
    settings = {
      url: keystone.url,
      serviceUser: 'orzo',
      servicePassword: 'orzo-pw',
      serviceProject: 'service',
      domain: 'default',
      cacheMs: 300_000,
      timeoutMs: 5000,
      fetch: countingFetch,
    };
  });
  after(() => keystone.stop());

  it("takes the user, project and roles of a valid token, as Gnocchi's creator", async () => {
    const alice = await token('alice');
    const credentials = await authenticator().check({ 'x-auth-token': alice.token });
    assert.equal(credentials.user, `${alice.userId}:${alice.projectId}`);
    assert.equal(credentials.projectId, alice.projectId);
    assert.ok(credentials.roles.includes('member'));
  });

  it('asks for a token when there is none, and refuses a made-up one', async () => {
    const check = authenticator();
    await assert.rejects(check.check({}), (error: unknown) => {
      assert.ok(error instanceof AuthenticationRequiredError);
      assert.equal(error.challenge, `Keystone uri="${keystone.url}"`);
      return true;
    });
    await assert.rejects(check.check({ 'x-auth-token': 'gAAAAnonsense' }), InvalidCredentialsError);
  });

  it('validates a token once for many requests, even concurrent ones', async () => {
    const check = authenticator();
    const bob = await token('bob');
    validations = 0;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => check.check({ 'x-auth-token': bob.token })),
    );
    assert.equal(new Set(answers.map((answer) => answer.user)).size, 1);
    await check.check({ 'x-auth-token': bob.token });
    assert.equal(validations, 1);
  });

  it('refuses a revoked token; one in the cache only once the cache limit passes', async () => {
    const cached = authenticator({ cacheMs: 1000 });
    const revokedUnseen = await token('alice');
    await keystone.revokeToken(revokedUnseen.token);
    await assert.rejects(
      cached.check({ 'x-auth-token': revokedUnseen.token }),
      InvalidCredentialsError,
    );
    const seen = await token('alice');
    await cached.check({ 'x-auth-token': seen.token });
    await keystone.revokeToken(seen.token);
    assert.ok(await cached.check({ 'x-auth-token': seen.token }), 'still remembered');
    await sleep(1100);
    await assert.rejects(cached.check({ 'x-auth-token': seen.token }), InvalidCredentialsError);
  });

  it('refuses an expired token, and renews its own service token meanwhile', async () => {
    const check = authenticator();
    const alice = await token('alice');
    await check.check({ 'x-auth-token': alice.token });
    await sleep(Math.max(0, alice.expiresAt - Date.now()) + 1000);
    await assert.rejects(check.check({ 'x-auth-token': alice.token }), (error: unknown) => {
      assert.ok(error instanceof InvalidCredentialsError);
      return true;
    });
    // NOTE: the service token issued with the first check has expired too by now.
    const fresh = await token('alice');
    assert.equal((await check.check({ 'x-auth-token': fresh.token })).projectId, fresh.projectId);
  });

  it('says Keystone is unavailable when it cannot be reached', async () => {
    const unreachable = authenticator({ url: `http://127.0.0.1:${await freePort()}` });
    const alice = await token('alice');
    await assert.rejects(
      unreachable.check({ 'x-auth-token': alice.token }),
      KeystoneUnavailableError,
    );
  });

  describe('the API in keystone mode', () => {
    let api: TestApi;
    const request = (method: string, url: string, authToken?: string, body?: unknown) =>
      api.app
        .inject({
          method: method as 'GET',
          url,
          headers: {
            'content-type': 'application/json',
            ...(authToken === undefined ? {} : { 'x-auth-token': authToken }),
          },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        })
        .then((response) => ({
          status: response.statusCode,
          headers: response.headers,
          json: () => JSON.parse(response.body) as Record<string, unknown>,
        }));

    before(async () => {
      api = await startApi({
        api: {
          auth: 'keystone',
          keystoneUrl: keystone.url,
          keystoneServiceUser: 'orzo',
          keystoneServicePassword: 'orzo-pw',
        },
      });
      const admin = await keystone.issueToken();
      const policy = await request('POST', '/v1/archive_policy', admin.token, {
        name: 'low',
        definition: [{ granularity: '5 minutes', points: 12 }],
      });
      assert.equal(policy.status, 201);
    });
    after(() => api.close());

    it('applies the policy to Keystone users, projects and roles', async () => {
      const alice = await token('alice');
      const bob = await token('bob');
      const admin = await keystone.issueToken();
      const anonymous = await request('GET', '/v1/metric');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['www-authenticate'], `Keystone uri="${keystone.url}"`);
      const created = await request('POST', '/v1/metric', alice.token, {
        archive_policy_name: 'low',
      });
      assert.equal(created.status, 201);
      assert.equal(created.json().creator, `${alice.userId}:${alice.projectId}`);
      const id = String(created.json().id);
      assert.equal((await request('GET', `/v1/metric/${id}`, alice.token)).status, 200);
      assert.equal((await request('GET', `/v1/metric/${id}`, bob.token)).status, 403);
      assert.equal((await request('GET', `/v1/metric/${id}`, admin.token)).status, 200);
      const listedBy = async (authToken: string) =>
        ((await request('GET', '/v1/metric', authToken)).json() as unknown as { id: string }[]).map(
          (metric) => metric.id,
        );
      assert.deepEqual(await listedBy(alice.token), [id]);
      assert.deepEqual(await listedBy(bob.token), []);
      assert.ok((await listedBy(admin.token)).includes(id));
      assert.equal((await request('GET', '/v1/status', alice.token)).status, 403);
      assert.equal((await request('GET', '/v1/status', admin.token)).status, 200);
      assert.equal((await request('GET', '/v1/metric', 'gAAAAnonsense')).status, 401);
    });
  });
});
