/**
 * Creating, showing and deleting metrics at `/v1/metric`, ported from Gnocchi's gabbit
 * `metric.yaml` (the parts without measures). Listings are in `metric-list.test.ts`.
 */
import assert from 'node:assert/strict';

import {
  description,
  includes,
  json,
  count,
  idOf,
  runCases,
  type ApiCase,
  type CaseHistory,
} from './cases.ts';
import { ADMIN, FOOBAZ } from './harness.ts';

const AS_ADMIN = { authorization: ADMIN };

/** The URL of the metric a previous case created. */
const metricUrl = (caseName: string) => (history: CaseHistory) =>
  `/v1/metric/${idOf(history.get(caseName))}`;

const CREATION: readonly ApiCase[] = [
  {
    name: 'does not find a metric that is not a UUID',
    method: 'GET',
    url: '/v1/metric/foobar',
    status: 404,
    expect: description('Metric foobar does not exist'),
  },
  {
    name: 'creates a policy for later use',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: 'cookies', definition: [{ granularity: '1 second' }] },
    status: 201,
  },
  {
    name: 'creates a rule for later use',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: { name: 'test_rule', metric_pattern: 'disk.io.*', archive_policy_name: 'cookies' },
    status: 201,
  },
  {
    name: 'creates another policy',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: 'cream', definition: [{ granularity: '5 second' }] },
    status: 201,
  },
  {
    name: 'creates a rule that will not be matched',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: { name: 'test_ignore_rule', metric_pattern: 'disk.*', archive_policy_name: 'cream' },
    status: 201,
  },
  { name: 'lists no metrics', method: 'GET', url: '/v1/metric', status: 200, expect: json([]) },
  {
    name: 'refuses an unknown sort key',
    method: 'GET',
    url: '/v1/metric?sort=nonexistent_key:asc',
    status: 400,
    expect: includes('Sort key supplied is invalid: nonexistent_key'),
  },
  {
    name: 'creates a metric by rule with name and unit',
    method: 'POST',
    url: '/v1/metric',
    body: { name: 'disk.io.rate', unit: 'B/s' },
    status: 201,
    expect: [
      json({ archive_policy_name: 'cookies', name: 'disk.io.rate', unit: 'B/s' }),
      (response) => {
        assert.deepEqual(Object.keys(response.json() as object), [
          'id',
          'creator',
          'name',
          'unit',
          'resource_id',
          'archive_policy_name',
          'created_by_user_id',
          'created_by_project_id',
        ]);
      },
      json({ creator: 'foobar', created_by_user_id: 'foobar', created_by_project_id: '' }),
      json({ resource_id: null }),
      (response) => {
        assert.equal(response.headers.location, `http://localhost:80/v1/metric/${idOf(response)}`);
      },
    ],
  },
  {
    name: 'refuses a / in the name',
    method: 'POST',
    url: '/v1/metric',
    body: { name: 'disk/io/rate', unit: 'B/s' },
    status: 400,
    expect: description("'/' is not supported in metric name"),
  },
  {
    name: 'refuses a name over 255 characters (the width of the column)',
    method: 'POST',
    url: '/v1/metric',
    headers: { accept: 'application/json' },
    body: { name: 'n'.repeat(256), archive_policy_name: 'low' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: "length of value must be at most 255 for dictionary value @ data['name']",
      detail: ['name'],
    }),
  },
  {
    name: 'refuses a unit over 31 characters',
    method: 'POST',
    url: '/v1/metric',
    headers: { accept: 'application/json' },
    body: { name: 'disk.io.rate', unit: 'over_length_unit_over_length_unit' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: /^length of value must be at most 31 for dictionary value @ data/,
      detail: ['unit'],
    }),
  },
  {
    name: 'accepts a unit of 31 characters beyond the BMP',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'cookies', unit: '😀'.repeat(31) },
    status: 201,
  },
  {
    name: 'refuses a name no rule matches',
    method: 'POST',
    url: '/v1/metric',
    body: { name: 'volume.io.rate' },
    status: 400,
    expect: description(
      'No archive policy name specified and no archive policy rule found matching the metric ' +
        'name volume.io.rate',
    ),
  },
  {
    name: 'refuses an unknown policy with a 400',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'bad-cookie' },
    status: 400,
    expect: description('Archive policy bad-cookie does not exist'),
  },
  {
    name: 'refuses a body that is not JSON',
    method: 'POST',
    url: '/v1/metric',
    headers: { 'content-type': 'plain/text' },
    body: '{"archive_policy_name": "cookies"}',
    status: 415,
  },
  {
    name: 'refuses extra keys',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'cookies', colour: 'red' },
    status: 400,
    expect: description({ reason: "extra keys not allowed @ data['colour']" }),
  },
  {
    name: 'refuses a null name',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'cookies', name: null },
    status: 400,
    expect: description({ reason: "expected str for dictionary value @ data['name']" }),
  },
  {
    name: 'refuses a resource id that names no resource',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'cookies', name: 'cpu', resource_id: 'a-host' },
    status: 400,
    expect: description('Resource 9d723046-2a34-57f5-aa28-40b5d8a2aeab does not exist'),
  },
  {
    name: 'refuses creation to an anonymous caller',
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization: null },
    body: { archive_policy_name: 'cookies' },
    status: 401,
  },
  {
    name: 'creates a metric by policy name',
    method: 'POST',
    url: '/v1/metric',
    body: { archive_policy_name: 'cookies' },
    status: 201,
    expect: json({ archive_policy_name: 'cookies', name: null, unit: null }),
  },
  {
    name: 'shows it with its whole policy and no resource',
    method: 'GET',
    url: (history) => `/v1/metric/${idOf(history.last)}`,
    status: 200,
    expect: [
      json({
        creator: 'foobar',
        resource: null,
        archive_policy: { name: 'cookies', definition: [{ granularity: '0:00:01' }] },
      }),
      (response) => {
        assert.deepEqual(Object.keys(response.json() as object), [
          'id',
          'creator',
          'name',
          'unit',
          'resource',
          'archive_policy',
          'created_by_user_id',
          'created_by_project_id',
        ]);
      },
    ],
  },
  {
    name: 'finds it by its id in another spelling',
    method: 'GET',
    url: (history) => `/v1/metric/${idOf(history.last).replaceAll('-', '').toUpperCase()}`,
    status: 200,
  },
  {
    name: 'refuses to show it to another user',
    method: 'GET',
    url: metricUrl('creates a metric by policy name'),
    headers: { authorization: FOOBAZ },
    status: 403,
  },
  {
    name: 'shows it to the admin',
    method: 'GET',
    url: metricUrl('creates a metric by policy name'),
    headers: AS_ADMIN,
    status: 200,
  },
  {
    name: 'lists the metrics with their whole policies',
    method: 'GET',
    url: '/v1/metric',
    status: 200,
    expect: [
      count(3),
      (response) => {
        const [first] = response.json() as Record<string, unknown>[];
        assert.deepEqual(Object.keys(first!), [
          'id',
          'creator',
          'name',
          'unit',
          'resource_id',
          'archive_policy',
          'created_by_user_id',
          'created_by_project_id',
        ]);
      },
    ],
  },
  {
    name: 'lists metrics to anonymous callers, as Gnocchi does',
    method: 'GET',
    url: '/v1/metric',
    headers: { authorization: null },
    status: 200,
    expect: count(3),
  },
  {
    name: 'refuses deletion to another user',
    method: 'DELETE',
    url: metricUrl('creates a metric by policy name'),
    headers: { authorization: FOOBAZ },
    status: 403,
    expect: description('Access was denied to this resource.'),
  },
  {
    name: 'deletes a metric',
    method: 'DELETE',
    url: metricUrl('creates a metric by policy name'),
    status: 204,
    expect: (response) => {
      assert.equal(response.text, '');
    },
  },
  {
    name: 'refuses to delete it again',
    method: 'DELETE',
    url: metricUrl('creates a metric by policy name'),
    status: 404,
    expect: description(/does not exist/),
  },
  {
    name: 'no longer shows it',
    method: 'GET',
    url: metricUrl('creates a metric by policy name'),
    status: 404,
  },
  { name: 'no longer lists it', method: 'GET', url: '/v1/metric', status: 200, expect: count(2) },
  {
    name: 'lists no metric in status delete',
    method: 'GET',
    url: '/v1/metric?status=delete',
    status: 200,
    expect: json([]),
  },
  {
    name: 'refuses an unknown status',
    method: 'GET',
    url: '/v1/metric?status=gone',
    status: 400,
    expect: description({ cause: 'Argument value error', detail: ['status'] }),
  },
  {
    name: 'does not delete a metric that is not a UUID',
    method: 'DELETE',
    url: '/v1/metric/foo',
    status: 404,
  },
];

runCases('metrics: creation, show, deletion', CREATION);
