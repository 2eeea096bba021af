/**
 * Who is calling and what they may do: Basic header parsing, the two modes, Gnocchi HEAD's policy
 * table, and the lazy checks as clients meet them over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { authenticate, createAuthorizer } from '../../src/api/auth/auth.ts';
import { basicUser } from '../../src/api/auth/basic-credentials.ts';
import { isAllowed, type Credentials } from '../../src/api/auth/policies.ts';
import {
  AuthenticationRequiredError,
  PolicyDeniedError,
} from '../../src/api/http/request-errors.ts';
import { json, runCases } from './cases.ts';

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
  const BASIC = { mode: 'basic', remoteUserHeader: 'X-Remote-User' } as const;
  const NOAUTH = { ...BASIC, mode: 'noauth' } as const;
  const REMOTE = { ...BASIC, mode: 'remoteuser' } as const;
  const from = (headers: Record<string, string>, fromTrustedProxy = false) => ({
    headers,
    fromTrustedProxy,
  });

  it('gives user admin the admin role in basic mode, and others none', () => {
    assert.deepEqual(authenticate(from({ authorization: basic('admin:') }), BASIC), {
      user: 'admin',
      roles: ['admin'],
    });
    assert.deepEqual(authenticate(from({ authorization: basic('bob:') }), BASIC), {
      user: 'bob',
      roles: [],
    });
  });
  it('requires a user in basic mode', () => {
    assert.throws(() => authenticate(from({}), BASIC), AuthenticationRequiredError);
  });
  it('takes user, project and roles from the headers in noauth mode', () => {
    assert.deepEqual(
      authenticate(
        from({ 'x-user-id': 'bob', 'x-project-id': 'p1', 'x-roles': 'member, admin' }),
        NOAUTH,
      ),
      { user: 'bob:p1', roles: ['member', 'admin'], projectId: 'p1' },
    );
    assert.deepEqual(authenticate(from({ 'x-user-id': 'bob' }), NOAUTH), {
      user: 'bob:',
      roles: [],
    });
    assert.throws(
      () => authenticate(from({ authorization: basic('bob:') }), NOAUTH),
      AuthenticationRequiredError,
    );
  });
  it('believes the remote user header only from a trusted proxy', () => {
    assert.deepEqual(authenticate(from({ 'x-remote-user': 'admin' }, true), REMOTE), {
      user: 'admin',
      roles: ['admin'],
    });
    assert.throws(
      () => authenticate(from({ 'x-remote-user': 'admin' }, false), REMOTE),
      AuthenticationRequiredError,
    );
  });
  it('checks lazily: an authorizer without credentials fails only when asked', () => {
    const auth = createAuthorizer(from({}), BASIC);
    assert.throws(() => auth.currentUser(), AuthenticationRequiredError);
    assert.throws(() => {
      auth.enforce('get archive policy');
    }, AuthenticationRequiredError);
  });
  it('refuses what the policy refuses', () => {
    assert.throws(() => {
      createAuthorizer(from({ authorization: basic('bob:') }), BASIC).enforce(
        'delete archive policy',
      );
    }, PolicyDeniedError);
  });
  it('limits listings to what the caller created or what their project owns', () => {
    assert.equal(
      createAuthorizer(from({ authorization: basic('admin:') }), BASIC).visibleResources(
        'list resource',
      ),
      undefined,
    );
    assert.deepEqual(
      createAuthorizer(from({ authorization: basic('bob:') }), BASIC).visibleResources(
        'list resource',
      ),
      { kind: 'compare', op: '=', field: 'creator', value: 'bob' },
    );
    const inProject = createAuthorizer(from({ 'x-user-id': 'u', 'x-project-id': 'p' }), NOAUTH);
    assert.deepEqual(inProject.visibleResources('search resource'), {
      kind: 'or',
      children: [
        { kind: 'compare', op: '=', field: 'creator', value: 'u:p' },
        { kind: 'compare', op: '=', field: 'created_by_project_id', value: 'p' },
        { kind: 'compare', op: '=', field: 'project_id', value: 'p' },
      ],
    });
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
    expect: json({ code: 401, title: 'Unauthorized', description: 'Authentication required' }),
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
      name: 'refuses a caller without headers when a user is needed',
      method: 'POST',
      url: '/v1/metric',
      headers: { authorization: null },
      body: { archive_policy_name: 'p' },
      status: 401,
    },
    {
      name: 'lets a caller with the admin role create a policy',
      method: 'POST',
      url: '/v1/archive_policy',
      headers: {
        authorization: null,
        'x-user-id': 'ops',
        'x-project-id': 'infra',
        'x-roles': 'admin',
      },
      body: POLICY,
      status: 201,
    },
    {
      name: 'refuses it to a caller without',
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: null, 'x-user-id': 'ops', 'x-project-id': 'infra' },
      body: { ...POLICY, name: 'other' },
      status: 403,
    },
    {
      name: 'records user:project as the creator',
      method: 'POST',
      url: '/v1/metric',
      headers: { authorization: null, 'x-user-id': 'alice', 'x-project-id': 'p1' },
      body: { archive_policy_name: 'p' },
      status: 201,
      expect: json({
        creator: 'alice:p1',
        created_by_user_id: 'alice',
        created_by_project_id: 'p1',
      }),
    },
    {
      name: 'lets another user of the same project delete it',
      method: 'DELETE',
      url: (history) => `/v1/metric/${(history.last.json() as { id: string }).id}`,
      headers: { authorization: null, 'x-user-id': 'bob', 'x-project-id': 'p1' },
      status: 204,
    },
  ],
  { api: { auth: 'noauth' } },
);
