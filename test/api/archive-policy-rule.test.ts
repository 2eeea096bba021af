/**
 * `/v1/archive_policy_rule`, ported from Gnocchi's gabbit `archive-rule.yaml`, plus precedence as
 * seen by metric creation.
 */
import assert from 'node:assert/strict';

import { description, header, includes, json, runCases, type ApiCase } from './cases.ts';
import { ADMIN } from './harness.ts';

const AS_ADMIN = { authorization: ADMIN };

const rule = (name: string, metricPattern: string, archivePolicyName = 'low') => ({
  name,
  metric_pattern: metricPattern,
  archive_policy_name: archivePolicyName,
});

const CASES: readonly ApiCase[] = [
  {
    name: 'creates the policy the rules use',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: 'low', definition: [{ granularity: '1 hour' }] },
    status: 201,
  },
  {
    name: 'creates a catch-all rule',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: rule('test_rule1', '*'),
    status: 201,
    expect: [
      json(rule('test_rule1', '*')),
      header('location', 'http://localhost:80/v1/archive_policy_rule/test_rule1'),
    ],
  },
  {
    name: 'creates a specific rule',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: rule('test_rule2', 'disk.foo.*'),
    status: 201,
    expect: json(rule('test_rule2', 'disk.foo.*')),
  },
  {
    name: 'creates a broader rule',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: rule('test_rule3', 'disk.*'),
    status: 201,
  },
  {
    name: 'requires every field',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: { name: 'test_rule', metric_pattern: 'disk.foo.*' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: "required key not provided @ data['archive_policy_name']",
      detail: ['archive_policy_name'],
    }),
  },
  {
    name: 'names a missing policy in a 400 with cause and detail',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: { ...AS_ADMIN, accept: 'application/json' },
    body: rule('test_rule', 'disk.foo.*', 'not-exists'),
    status: 400,
    expect: json({
      code: 400,
      description: { cause: 'Archive policy does not exist', detail: 'not-exists' },
    }),
  },
  {
    name: 'refuses a body that is not JSON',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: { ...AS_ADMIN, 'content-type': 'text/plain' },
    status: 415,
    expect: includes('Unsupported Media Type'),
  },
  {
    name: 'refuses creation to a user without the admin role',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    body: rule('test_rule_wrong_auth', 'disk.foo.*'),
    status: 403,
  },
  {
    name: 'refuses creation to an anonymous caller',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: { authorization: null },
    body: rule('test_rule_miss_auth', 'disk.foo.*'),
    status: 401,
  },
  {
    name: 'refuses extra keys',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: { ...AS_ADMIN, accept: 'application/json' },
    body: { whaa: 'foobar' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: /^extra keys not allowed @ data/,
      detail: ['whaa'],
    }),
  },
  {
    name: 'refuses a rule name that is not a string',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: { name: 5, metric_pattern: '*', archive_policy_name: 'low' },
    status: 400,
    expect: description({ reason: "expected str for dictionary value @ data['name']" }),
  },
  {
    name: 'refuses a duplicate rule name',
    method: 'POST',
    url: '/v1/archive_policy_rule',
    headers: AS_ADMIN,
    body: rule('test_rule1', 'other.*'),
    status: 409,
    expect: description('Archive policy rule test_rule1 already exists'),
  },
  {
    name: 'lists rules in precedence order: pattern descending',
    method: 'GET',
    url: '/v1/archive_policy_rule',
    status: 200,
    expect: json([
      { metric_pattern: 'disk.foo.*' },
      { metric_pattern: 'disk.*' },
      { metric_pattern: '*' },
    ]),
  },
  {
    name: 'applies the most specific rule to a new metric',
    method: 'POST',
    url: '/v1/metric',
    body: { name: 'disk.foo.bar' },
    status: 201,
    expect: json({ archive_policy_name: 'low' }),
  },
  {
    name: 'shows a rule',
    method: 'GET',
    url: '/v1/archive_policy_rule/test_rule2',
    status: 200,
    expect: json(rule('test_rule2', 'disk.foo.*')),
  },
  {
    name: 'refuses to show an unknown rule',
    method: 'GET',
    url: '/v1/archive_policy_rule/foo',
    status: 404,
    expect: description('Archive policy rule foo does not exist'),
  },
  {
    name: 'refuses to delete a policy that rules use',
    method: 'DELETE',
    url: '/v1/archive_policy/low',
    headers: AS_ADMIN,
    status: 400,
    expect: description('Archive policy low is still in use'),
  },
  {
    name: 'refuses a rename without a name',
    method: 'PATCH',
    url: '/v1/archive_policy_rule/test_rule3',
    headers: AS_ADMIN,
    status: 400,
    expect: description({ cause: 'Unable to decode body' }),
  },
  {
    name: 'refuses a rename to a user without the admin role',
    method: 'PATCH',
    url: '/v1/archive_policy_rule/test_rule3',
    body: { name: 'test_rule3_renamed' },
    status: 403,
  },
  {
    name: 'refuses other changes than the name',
    method: 'PATCH',
    url: '/v1/archive_policy_rule/test_rule3',
    headers: AS_ADMIN,
    body: { name: 'x', metric_pattern: 'y' },
    status: 400,
    expect: description({ reason: "extra keys not allowed @ data['metric_pattern']" }),
  },
  {
    name: 'renames a rule',
    method: 'PATCH',
    url: '/v1/archive_policy_rule/test_rule3',
    headers: AS_ADMIN,
    body: { name: 'test_rule3_renamed' },
    status: 200,
    expect: json(rule('test_rule3_renamed', 'disk.*')),
  },
  {
    name: 'shows the renamed rule',
    method: 'GET',
    url: '/v1/archive_policy_rule/test_rule3_renamed',
    status: 200,
    expect: json(rule('test_rule3_renamed', 'disk.*')),
  },
  {
    name: 'forgets the old name',
    method: 'GET',
    url: '/v1/archive_policy_rule/test_rule3',
    status: 404,
  },
  {
    name: 'refuses a rename onto an existing name',
    method: 'PATCH',
    url: '/v1/archive_policy_rule/test_rule2',
    headers: AS_ADMIN,
    body: { name: 'test_rule3_renamed' },
    status: 400,
    expect: description(
      'Archive policy rule test_rule2 does not support change: ' +
        'Archive policy rule test_rule3_renamed already exists.',
    ),
  },
  {
    name: 'refuses to rename an unknown rule',
    method: 'PATCH',
    url: '/v1/archive_policy_rule/nope',
    headers: AS_ADMIN,
    body: { name: 'other' },
    status: 404,
  },
  {
    name: 'refuses deletion to a user without the admin role',
    method: 'DELETE',
    url: '/v1/archive_policy_rule/test_rule1',
    status: 403,
  },
  {
    name: 'deletes rule 1',
    method: 'DELETE',
    url: '/v1/archive_policy_rule/test_rule1',
    headers: AS_ADMIN,
    status: 204,
  },
  {
    name: 'deletes rule 2',
    method: 'DELETE',
    url: '/v1/archive_policy_rule/test_rule2',
    headers: AS_ADMIN,
    status: 204,
  },
  {
    name: 'deletes rule 3',
    method: 'DELETE',
    url: '/v1/archive_policy_rule/test_rule3_renamed',
    headers: AS_ADMIN,
    status: 204,
  },
  {
    name: 'lists no rules once all are deleted',
    method: 'GET',
    url: '/v1/archive_policy_rule',
    status: 200,
    expect: (response) => {
      assert.deepEqual(response.json(), []);
    },
  },
  {
    name: 'refuses to delete a deleted rule',
    method: 'DELETE',
    url: '/v1/archive_policy_rule/test_rule1',
    headers: AS_ADMIN,
    status: 404,
  },
  {
    name: 'names an unknown unicode rule decoded',
    method: 'DELETE',
    url: '/v1/archive_policy_rule/%E2%9C%94%C3%A9%C3%B1%E2%98%83',
    headers: AS_ADMIN,
    status: 404,
    expect: description('Archive policy rule ✔éñ☃ does not exist'),
  },
  {
    name: 'refuses a metric without policy once no rule matches',
    method: 'POST',
    url: '/v1/metric',
    body: { name: 'disk.foo.bar' },
    status: 400,
    expect: description(
      'No archive policy name specified and no archive policy rule found matching the metric ' +
        'name disk.foo.bar',
    ),
  },
];

runCases('archive policy rules', CASES);
