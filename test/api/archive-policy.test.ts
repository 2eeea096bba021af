/**
 * The life of an archive policy at `/v1/archive_policy` (list, create, show, update, delete, and
 * who may), ported from Gnocchi's gabbit `archive.yaml`, plus HEAD's PATCH of the back window.
 * Runs on SQLite and on PostgreSQL. What creation makes of its input is in
 * `archive-policy-input.test.ts`.
 */
import assert from 'node:assert/strict';

import {
  description,
  header,
  includes,
  json,
  runCases,
  type ApiCase,
  type CaseResponse,
} from './cases.ts';
import { ADMIN } from './harness.ts';

const AS_ADMIN = { authorization: ADMIN };
const UNICODE_NAME_URL = '/v1/archive_policy/%E2%9C%94%C3%A9%C3%B1%E2%98%83';

const names = (response: CaseResponse) =>
  (response.json() as { name: string }[]).map((policy) => policy.name).sort();

const CASES: readonly ApiCase[] = [
  {
    name: 'lists no policies on an empty index',
    method: 'GET',
    url: '/v1/archive_policy',
    status: 200,
    expect: [header('content-type', /^application\/json/), json([])],
  },
  {
    name: 'refuses a text list',
    method: 'GET',
    url: '/v1/archive_policy',
    headers: { accept: 'text/plain' },
    status: 406,
  },
  {
    name: 'refuses an html list',
    method: 'GET',
    url: '/v1/archive_policy',
    headers: { accept: 'text/html' },
    status: 406,
  },
  {
    name: 'refuses a list to an anonymous caller, as the policy check needs a user',
    method: 'GET',
    url: '/v1/archive_policy',
    headers: { authorization: null },
    status: 401,
  },
  {
    name: 'refuses a body that is not JSON',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: { ...AS_ADMIN, 'content-type': 'text/plain' },
    status: 415,
    expect: includes('Unsupported Media Type'),
  },
  {
    name: 'refuses PUT on the collection',
    method: 'PUT',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    status: 405,
  },
  {
    name: 'refuses creation to a user without the admin role',
    method: 'POST',
    url: '/v1/archive_policy',
    body: { name: 'medium', definition: [{ granularity: '1 second' }] },
    status: 403,
    expect: description('Access was denied to this resource.'),
  },
  {
    name: 'checks rights before reading the body',
    method: 'POST',
    url: '/v1/archive_policy',
    body: { definition: [{ granularity: '1 second', points: 20 }] },
    status: 403,
  },
  {
    name: 'refuses creation without credentials',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: { authorization: '' },
    body: { name: 'medium', definition: [{ granularity: '1 second' }] },
    status: 401,
  },
  {
    name: 'creates a policy',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: 'medium',
      definition: [{ granularity: '1 second', points: 20 }, { granularity: '2 second' }],
    },
    status: 201,
    expect: [
      header('location', 'http://localhost:80/v1/archive_policy/medium'),
      json({ name: 'medium', back_window: 0 }),
      (response) => {
        const methods = (response.json() as { aggregation_methods: string[] }).aggregation_methods;
        assert.deepEqual([...methods].sort(), ['count', 'max', 'mean', 'min', 'std', 'sum']);
      },
    ],
  },
  {
    name: 'shows it with timedelta strings and unbounded retention as nulls',
    method: 'GET',
    url: (history) => String(history.last.headers.location).replace('http://localhost:80', ''),
    status: 200,
    expect: [
      header('content-type', /^application\/json/),
      json({
        name: 'medium',
        definition: [
          { granularity: '0:00:01', points: 20, timespan: '0:00:20' },
          { granularity: '0:00:02', points: null, timespan: null },
        ],
      }),
    ],
  },
  {
    name: 'refuses to show it as text',
    method: 'GET',
    url: '/v1/archive_policy/medium',
    headers: { accept: 'text/plain' },
    status: 406,
  },
  {
    name: 'refuses an update whose timespan is not granularity × points',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    body: {
      definition: [
        { granularity: '1 second', points: 50, timespan: '1 hour' },
        { granularity: '2 second' },
      ],
    },
    status: 400,
    expect: includes('timespan ≠ granularity × points'),
  },
  {
    name: 'refuses an update dropping a granularity',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    body: { definition: [{ granularity: '1 second', points: 50 }] },
    status: 400,
    expect: description(
      'Archive policy medium does not support change: Cannot add or drop granularities',
    ),
  },
  {
    name: 'refuses an update changing a granularity',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    body: { definition: [{ granularity: '5 second', points: 20 }, { granularity: '2 second' }] },
    status: 400,
    expect: description(
      'Archive policy medium does not support change: 1.0 granularity interval was changed',
    ),
  },
  {
    name: 'refuses an update to a user without the admin role',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    body: { definition: [{ granularity: '1 second', points: 50 }, { granularity: '2 second' }] },
    status: 403,
  },
  {
    name: 'refuses keys other than definition and back_window in an update',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    body: { definition: [{ granularity: 1 }, { granularity: 2 }], name: 'other' },
    status: 400,
    expect: description({ reason: "extra keys not allowed @ data['name']", detail: ['name'] }),
  },
  {
    name: 'updates the retention',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    body: { definition: [{ granularity: '1 second', points: 50 }, { granularity: '2 second' }] },
    status: 200,
    expect: json({
      name: 'medium',
      back_window: 0,
      definition: [{ granularity: '0:00:01', points: 50, timespan: '0:00:50' }, {}],
    }),
  },
  {
    name: 'updates the back window too, as Gnocchi HEAD does',
    method: 'PATCH',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    body: {
      definition: [{ granularity: '1 second', points: 50 }, { granularity: '2 second' }],
      back_window: 2,
    },
    status: 200,
    expect: json({ back_window: 2 }),
  },
  {
    name: 'shows the updated policy',
    method: 'GET',
    url: '/v1/archive_policy/medium',
    status: 200,
    expect: json({
      back_window: 2,
      definition: [{ granularity: '0:00:01', points: 50, timespan: '0:00:50' }, {}],
    }),
  },
  {
    name: 'refuses to update an unknown policy',
    method: 'PATCH',
    url: '/v1/archive_policy/nope',
    headers: AS_ADMIN,
    body: { definition: [{ granularity: 1 }] },
    status: 404,
    expect: description('Archive policy nope does not exist'),
  },
  {
    name: 'refuses POST on a policy',
    method: 'POST',
    url: '/v1/archive_policy/medium',
    status: 405,
  },
  { name: 'refuses PUT on a policy', method: 'PUT', url: '/v1/archive_policy/medium', status: 405 },
  {
    name: 'creates a second policy',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: 'large', definition: [{ granularity: '1 hour' }] },
    status: 201,
    expect: header('location', 'http://localhost:80/v1/archive_policy/large'),
  },
  {
    name: 'refuses a duplicate name',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: 'large', definition: [{ granularity: '1 hour' }] },
    status: 409,
    expect: description('Archive policy large already exists'),
  },
  {
    name: 'creates a policy with a unicode name, percent-encoded in its location',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: '✔éñ☃', definition: [{ granularity: '1 minute', points: 20 }] },
    status: 201,
    expect: [header('location', `http://localhost:80${UNICODE_NAME_URL}`), json({ name: '✔éñ☃' })],
  },
  {
    name: 'shows the unicode policy',
    method: 'GET',
    url: UNICODE_NAME_URL,
    status: 200,
    expect: json({ name: '✔éñ☃' }),
  },
  {
    name: 'creates a policy with a one-letter unicode name',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: 'æ', definition: [{ granularity: '1 minute', points: 20 }] },
    status: 201,
    expect: header('location', 'http://localhost:80/v1/archive_policy/%C3%A6'),
  },
  {
    name: 'lists the policies by name',
    method: 'GET',
    url: '/v1/archive_policy',
    status: 200,
    expect: (response) => {
      assert.deepEqual(names(response), ['large', 'medium', 'æ', '✔éñ☃']);
    },
  },
  {
    name: 'refuses deletion to a user without the admin role',
    method: 'DELETE',
    url: '/v1/archive_policy/medium',
    status: 403,
  },
  {
    name: 'deletes a policy',
    method: 'DELETE',
    url: '/v1/archive_policy/medium',
    headers: AS_ADMIN,
    status: 204,
    expect: (response) => {
      assert.equal(response.text, '');
    },
  },
  { name: 'no longer shows it', method: 'GET', url: '/v1/archive_policy/medium', status: 404 },
  {
    name: 'refuses to delete an unknown policy',
    method: 'DELETE',
    url: '/v1/archive_policy/grandiose',
    headers: AS_ADMIN,
    status: 404,
    expect: description('Archive policy grandiose does not exist'),
  },
  {
    name: 'deletes the unicode policy',
    method: 'DELETE',
    url: UNICODE_NAME_URL,
    headers: AS_ADMIN,
    status: 204,
  },
  {
    name: 'names the unicode policy decoded when it is gone',
    method: 'DELETE',
    url: UNICODE_NAME_URL,
    headers: AS_ADMIN,
    status: 404,
    expect: description('Archive policy ✔éñ☃ does not exist'),
  },
  {
    name: 'creates a metric using a policy',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'large' },
    status: 201,
  },
  {
    name: 'refuses to delete a policy in use',
    method: 'DELETE',
    url: '/v1/archive_policy/large',
    headers: AS_ADMIN,
    status: 400,
    expect: description('Archive policy large is still in use'),
  },
  {
    name: "explains a refusal of rights in Gnocchi's words",
    method: 'POST',
    url: '/v1/archive_policy',
    body: { name: 'f1d150d9', definition: [{ granularity: '1 minute', points: 20 }] },
    status: 403,
    expect: json({
      code: 403,
      title: 'Forbidden',
      description: 'Access was denied to this resource.',
    }),
  },
];

runCases('archive policies (sqlite)', CASES);
runCases('archive policies (postgresql)', CASES, { backend: 'postgresql' });
