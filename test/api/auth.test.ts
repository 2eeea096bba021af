/**
 * Who is calling and what they may do: Basic header parsing, the two modes, Gnocchi HEAD's policy
 * table, and the lazy checks as clients meet them over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { authenticate, basicUser, createAuthorizer } from '../../src/api/auth/auth.ts';
import { isAllowed, type Credentials } from '../../src/api/auth/policies.ts';
import {
  AuthenticationRequiredError,
  PolicyDeniedError,
} from '../../src/api/http/request-errors.ts';
import { json, runCases } from './cases.ts';
import { FOOBAR } from './harness.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('basicUser', () => {
  const cases: readonly [string | undefined, string | undefined][] = [
    [basic('foobar:'), 'foobar'],
    [basic('foobar:secret:with:colons'), 'foobar'],
    [basic('foobar'), 'foobar'],
    [basic('élodie:x'), 'élodie'],
    ['basic Zm9vYmFyOg==', 'foobar'],
    ['  BASIC   Zm9vYmFyOg==  ', 'foobar'],
    [basic(':password'), undefined],
    ['Bearer Zm9vYmFyOg==', undefined],
    ['Basic', undefined],
    ['Basic Zm9vYmFyOg', undefined],
    ['Basic Zm9v!mFyOg==', undefined],
    [`Basic ${Buffer.from([0xff, 0x3a]).toString('base64')}`, undefined],
    [undefined, undefined],
  ];
  for (const [header, user] of cases) {
    it(`reads ${JSON.stringify(header)} as ${String(user)}`, () => {
      assert.equal(basicUser(header), user);
    });
  }
});

describe('authenticate', () => {
  it('gives user admin the admin role in basic mode, and others none', () => {
    assert.deepEqual(authenticate(basic('admin:'), 'basic'), { user: 'admin', roles: ['admin'] });
    assert.deepEqual(authenticate(basic('bob:'), 'basic'), { user: 'bob', roles: [] });
  });
  it('requires a user in basic mode', () => {
    assert.throws(() => authenticate(undefined, 'basic'), AuthenticationRequiredError);
  });
  it('makes everyone an admin in noauth mode, named by the header or admin', () => {
    assert.deepEqual(authenticate(undefined, 'noauth'), { user: 'admin', roles: ['admin'] });
    assert.deepEqual(authenticate(basic('bob:'), 'noauth'), { user: 'bob', roles: ['admin'] });
  });
  it('checks lazily: an authorizer without credentials fails only when asked', () => {
    const auth = createAuthorizer(undefined, 'basic');
    assert.throws(() => auth.currentUser(), AuthenticationRequiredError);
    assert.throws(() => {
      auth.enforce('get archive policy');
    }, AuthenticationRequiredError);
  });
  it('refuses what the policy refuses', () => {
    assert.throws(() => {
      createAuthorizer(basic('bob:'), 'basic').enforce('delete archive policy');
    }, PolicyDeniedError);
  });
});

describe('the policy table (Gnocchi HEAD)', () => {
  const admin: Credentials = { user: 'admin', roles: ['admin'] };
  const service: Credentials = { user: 'svc', roles: ['service'] };
  const bob: Credentials = { user: 'bob', roles: [] };
  const bobInProject: Credentials = { user: 'bob', roles: [], projectId: 'p1' };
  const metric = { creator: 'alice:p1', created_by_project_id: 'p1' };

  const cases = [
    ['create archive policy', service, {}, true],
    ['create archive policy', bob, {}, false],
    ['update archive policy', service, {}, false],
    ['update archive policy', admin, {}, true],
    ['list archive policy', bob, {}, true],
    ['create archive policy rule', service, {}, false],
    ['get metric', service, metric, true],
    ['get metric', bob, metric, false],
    ['get metric', bobInProject, metric, true],
    ['get metric', { user: 'alice:p1', roles: [] }, metric, true],
    ['delete metric', service, metric, false],
    ['delete metric', bobInProject, metric, true],
    ['get metric', bobInProject, { creator: 'x', 'resource.project_id': 'p1' }, true],
    ['delete metric', bob, { creator: 'bob', created_by_project_id: '' }, true],
  ] as const;
  for (const [rule, credentials, target, allowed] of cases) {
    it(`${allowed ? 'lets' : 'stops'} ${credentials.user} (${credentials.roles.join() || 'no role'}) ${rule}`, () => {
      assert.equal(isAllowed(rule, credentials, target), allowed);
    });
  }
});

const POLICY = { name: 'p', definition: [{ granularity: 60 }] };

runCases('basic authentication', [
  {
    name: 'lets anonymous callers list metrics',
    method: 'GET',
    url: '/v1/metric',
    headers: { authorization: null },
    status: 200,
  },
  {
    name: 'asks anonymous callers to authenticate where a user is needed',
    method: 'GET',
    url: '/v1/archive_policy_rule',
    headers: { authorization: null },
    status: 401,
    expect: json({ code: 401, title: 'Unauthorized', description: '' }),
  },
  {
    name: 'takes an empty user name as none',
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization: 'basic Og==' },
    body: {},
    status: 401,
  },
  {
    name: 'takes another scheme as none',
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization: 'Bearer abc' },
    body: {},
    status: 401,
  },
  {
    name: 'takes bad base64 as none',
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization: 'Basic ###' },
    body: {},
    status: 401,
  },
  {
    name: 'gives user admin the admin role',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: { authorization: 'Basic YWRtaW46c2VjcmV0' },
    body: POLICY,
    status: 201,
  },
  {
    name: 'takes the user alone without a colon',
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization: 'Basic Zm9vYmFy' },
    body: { archive_policy_name: 'p' },
    status: 201,
    expect: json({ creator: 'foobar' }),
  },
]);

runCases(
  'noauth mode',
  [
    {
      name: 'lets anyone create a policy',
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: null },
      body: POLICY,
      status: 201,
    },
    {
      name: 'records admin as the creator of an anonymous caller',
      method: 'POST',
      url: '/v1/metric',
      headers: { authorization: null },
      body: { archive_policy_name: 'p' },
      status: 201,
      expect: json({ creator: 'admin', created_by_user_id: 'admin' }),
    },
    {
      name: 'records the user a Basic header names',
      method: 'POST',
      url: '/v1/metric',
      headers: { authorization: FOOBAR },
      body: { archive_policy_name: 'p' },
      status: 201,
      expect: json({ creator: 'foobar' }),
    },
    {
      name: 'lets anyone delete any metric',
      method: 'DELETE',
      url: (history) => `/v1/metric/${(history.last.json() as { id: string }).id}`,
      headers: { authorization: null },
      status: 204,
    },
  ],
  { api: { auth: 'noauth' } },
);
