/**
 * Listing metrics at `/v1/metric`: Gnocchi's filters, sorts and pages with their `Link` header,
 * ported from the gabbits `metric-list.yaml` and `pagination.yaml` (with `max_limit` 7, as there).
 * Runs on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';

import {
  count,
  description,
  header,
  idOf,
  includes,
  json,
  runCases,
  type ApiCase,
  type CaseResponse,
} from './cases.ts';
import { ADMIN, FOOBAZ, JD } from './harness.ts';

const AS_ADMIN = { authorization: ADMIN };

const namesOf = (response: CaseResponse): (string | null)[] =>
  (response.json() as { name: string | null }[]).map((metric) => metric.name);

const LISTING: readonly ApiCase[] = [
  ...['first_archive', 'second_archive'].map((name): ApiCase => ({
    name: `creates policy ${name}`,
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name, definition: [{ granularity: '1 second' }] },
    status: 201,
  })),
  ...(
    [
      ['metric 1', undefined, 'disk.io.rate', 'B/s', 'first_archive'],
      ['metric 2', FOOBAZ, 'disk.io.rate', 'B/s', 'first_archive'],
      ['metric 3', JD, 'cpu_util', '%', 'first_archive'],
      ['metric 4', undefined, 'cpu', 'ns', 'second_archive'],
    ] as const
  ).map(([name, authorization, metric, unit, policy]): ApiCase => ({
    name: `creates ${name}`,
    method: 'POST',
    url: '/v1/metric',
    ...(authorization === undefined ? {} : { headers: { authorization } }),
    body: { name: metric, unit, archive_policy_name: policy },
    status: 201,
    expect: json({ archive_policy_name: policy, name: metric, unit }),
  })),
  { name: 'lists every metric', method: 'GET', url: '/v1/metric', status: 200, expect: count(4) },
  {
    name: 'lists by id',
    method: 'GET',
    url: (history) => `/v1/metric?id=${idOf(history.get('creates metric 1'))}`,
    status: 200,
    expect: json([{ name: 'disk.io.rate', archive_policy: { name: 'first_archive' } }]),
  },
  {
    name: 'lists nothing for an id that is not a UUID',
    method: 'GET',
    url: '/v1/metric?id=nope',
    status: 200,
    expect: json([]),
  },
  {
    name: 'lists by name',
    method: 'GET',
    url: '/v1/metric?name=disk.io.rate',
    headers: AS_ADMIN,
    status: 200,
    expect: json([{ name: 'disk.io.rate' }, { name: 'disk.io.rate' }]),
  },
  {
    name: 'lists by unit',
    method: 'GET',
    url: '/v1/metric?unit=ns',
    status: 200,
    expect: json([{ name: 'cpu', archive_policy: { name: 'second_archive' } }]),
  },
  {
    name: 'lists by policy, sorted by name descending',
    method: 'GET',
    url: '/v1/metric?archive_policy_name=first_archive&sort=name:desc',
    headers: AS_ADMIN,
    status: 200,
    expect: [
      (response) => {
        assert.deepEqual(namesOf(response), ['disk.io.rate', 'disk.io.rate', 'cpu_util']);
      },
      header('link', undefined),
    ],
  },
  {
    name: 'announces the next page of a full page',
    method: 'GET',
    url: '/v1/metric?archive_policy_name=first_archive&sort=name:desc&limit=2',
    headers: AS_ADMIN,
    status: 200,
    expect: [
      count(2),
      (response) => {
        assert.equal(
          response.headers.link,
          '<http://localhost:80/v1/metric?archive_policy_name=first_archive&limit=2' +
            `&marker=${idOf(response, 1)}&sort=name%3Adesc>; rel="next"`,
        );
      },
    ],
  },
  {
    name: 'follows the marker to the last page',
    method: 'GET',
    url: (history) =>
      '/v1/metric?archive_policy_name=first_archive&limit=2&sort=name:desc' +
      `&marker=${idOf(history.last, 1)}`,
    headers: AS_ADMIN,
    status: 200,
    expect: [json([{ name: 'cpu_util' }]), header('link', undefined)],
  },
  {
    name: 'lists by creator jd',
    method: 'GET',
    url: '/v1/metric?creator=jd',
    headers: AS_ADMIN,
    status: 200,
    expect: count(1),
  },
  {
    name: 'lists by creator foobaz',
    method: 'GET',
    url: '/v1/metric?creator=foobaz',
    headers: AS_ADMIN,
    status: 200,
    expect: count(1),
  },
  {
    name: 'lists by user_id as the creator user:project, which basic auth never makes',
    method: 'GET',
    url: '/v1/metric?user_id=foobaz',
    status: 200,
    expect: json([]),
  },
  {
    name: 'ignores unknown arguments',
    method: 'GET',
    url: '/v1/metric?colour=red',
    status: 200,
    expect: count(4),
  },
  {
    name: 'sorts without a direction ascending',
    method: 'GET',
    url: '/v1/metric?sort=name&limit=2',
    status: 200,
    expect: [
      (response) => {
        assert.deepEqual(namesOf(response), ['cpu', 'cpu_util']);
      },
      header('link', /sort=name>; rel="next"$/),
    ],
  },
  {
    name: 'keeps unknown arguments and every sort in the next link',
    method: 'GET',
    url: '/v1/metric?sort=unit:desc&sort=name&limit=1&colour=r%C3%A9d',
    status: 200,
    expect: header(
      'link',
      /^<http:\/\/localhost:80\/v1\/metric\?colour=r%C3%A9d&limit=1&marker=[0-9a-f-]{36}&sort=unit%3Adesc&sort=name>; rel="next"$/,
    ),
  },
  {
    name: 'refuses an unknown sort direction',
    method: 'GET',
    url: '/v1/metric?sort=id:invalid',
    status: 400,
    expect: includes('Unknown sort direction'),
  },
  {
    name: 'refuses an unknown marker',
    method: 'GET',
    url: '/v1/metric?marker=d44b3f4c-27bc-4ace-b81c-2a8e60026874',
    status: 400,
    expect: description(/Invalid marker/),
  },
  {
    name: 'refuses a marker that is not a UUID as an unknown one',
    method: 'GET',
    url: '/v1/metric?marker=not-a-uuid',
    status: 400,
    expect: description("Invalid pagination: `Invalid marker: `not-a-uuid''"),
  },
  {
    name: 'refuses a negative limit',
    method: 'GET',
    url: '/v1/metric?limit=-2',
    status: 400,
    expect: json({
      description: {
        cause: 'Argument value error',
        reason: "value must be at least 1 for dictionary value @ data['limit']",
      },
    }),
  },
  {
    name: 'refuses a limit that is not a number',
    method: 'GET',
    url: '/v1/metric?limit=invalid',
    status: 400,
    expect: description({ reason: "expected int for dictionary value @ data['limit']" }),
  },
  ...['a', 'b', 'c', 'd', 'e'].map((name): ApiCase => ({
    name: `creates metric ${name}`,
    method: 'POST',
    url: '/v1/metric',
    body: { name, archive_policy_name: 'second_archive' },
    status: 201,
  })),
  {
    name: 'clamps the page to max_limit',
    method: 'GET',
    url: '/v1/metric?limit=100',
    status: 200,
    expect: [count(7), header('link', /limit=7&marker=.*&sort=id%3Aasc>; rel="next"$/)],
  },
  {
    name: 'pages by max_limit by default',
    method: 'GET',
    url: '/v1/metric',
    status: 200,
    expect: [count(7), header('link', /^<http:\/\/localhost:80\/v1\/metric\?limit=7&marker=/)],
  },
  {
    name: 'gives the rest on the next page',
    method: 'GET',
    url: (history) => {
      const link = String(history.last.headers.link);
      return link.slice(link.indexOf('/v1/'), link.indexOf('>'));
    },
    status: 200,
    expect: [count(2), header('link', undefined)],
  },
];

runCases('metric listing (sqlite)', LISTING);
runCases('metric listing (postgresql)', LISTING, { backend: 'postgresql' });
