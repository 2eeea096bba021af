/**
 * What `POST /v1/archive_policy` makes of its input, ported from Gnocchi's gabbit `archive.yaml`:
 * voluptuous-worded refusals of malformed bodies, Gnocchi's checks of a definition, and how
 * granularity, points and timespan derive from each other.
 */
import assert from 'node:assert/strict';

import { description, includes, json, runCases, type ApiCase } from './cases.ts';
import { ADMIN } from './harness.ts';

const AS_ADMIN = { authorization: ADMIN };
const AS_ADMIN_JSON = { authorization: ADMIN, accept: 'application/json' };

const CASES: readonly ApiCase[] = [
  {
    name: 'refuses extra keys',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { cowsay: 'moo' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: /^extra keys not allowed/,
      detail: ['cowsay'],
    }),
  },
  {
    name: 'requires a definition',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { name: 'medium' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: "required key not provided @ data['definition']",
      detail: ['definition'],
    }),
  },
  {
    name: 'refuses an empty definition',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { name: 'medium', definition: [] },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: /^length of value must be at least 1/,
      detail: ['definition'],
    }),
  },
  {
    name: 'refuses a definition that is not a list',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { name: 'somename', definition: 'foobar' },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: "expected a list for dictionary value @ data['definition']",
      detail: ['definition'],
    }),
  },
  {
    name: 'refuses extra keys in a definition item',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { name: 'medium', definition: [{ cowsay: 'moo' }] },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: "extra keys not allowed @ data['definition'][0]['cowsay']",
      detail: ['definition', '0', 'cowsay'],
    }),
  },
  {
    name: 'refuses an illogical definition',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: 'complex',
      definition: [{ granularity: '1 second', points: 60, timespan: '0:01:01' }],
    },
    status: 400,
    expect: includes('timespan ≠ granularity × points'),
  },
  {
    name: 'refuses a zero granularity',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { name: 'complex', definition: [{ granularity: 0, points: 60 }] },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: /^Timespan must be positive for dictionary value/,
      detail: ['definition', '0', 'granularity'],
    }),
  },
  {
    name: 'refuses zero points',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: { name: 'complex', definition: [{ granularity: 10, points: 0 }] },
    status: 400,
    expect: description({
      cause: 'Invalid input',
      reason: /^value must be at least 1 for dictionary value/,
      detail: ['definition', '0', 'points'],
    }),
  },
  {
    name: 'refuses two items of one granularity',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: 'complex',
      definition: [
        { granularity: '1 second', points: 60 },
        { granularity: '1 second', points: 120 },
      ],
    },
    status: 400,
    expect: description("More than one archive policy uses granularity `1.0'"),
  },
  {
    name: 'refuses an unparsable timespan',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: '227d0e1f-4295-4e4b-8515-c296c47d71d3',
      definition: [{ granularity: '1 second', timespan: '1 shenanigan' }],
    },
    status: 400,
    expect: description({ reason: /^Unable to parse timespan/ }),
  },
  {
    name: 'refuses an unknown aggregation method',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: 'invalid-agg-method',
      aggregation_methods: ['wtf'],
      definition: [{ granularity: '1 second', timespan: '1 hour' }],
    },
    status: 400,
  },
  {
    name: 'refuses a granularity larger than the timespan',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN_JSON,
    body: {
      name: 'should-have-failed',
      definition: [{ granularity: '2 hour', timespan: '1 hour' }],
    },
    status: 400,
  },
  {
    name: 'creates a policy with a back window',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: '7720a99d', back_window: 1, definition: [{ granularity: '10s', points: 20 }] },
    status: 201,
    expect: json({ back_window: 1, definition: [{ timespan: '0:03:20' }] }),
  },
  {
    name: 'takes an integer granularity as seconds',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: '22f2b99f', back_window: 0, definition: [{ granularity: 10, points: 20 }] },
    status: 201,
    expect: json({ back_window: 0, definition: [{ points: 20, timespan: '0:03:20' }] }),
  },
  {
    name: 'derives a fractional granularity',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: '595228db', definition: [{ timespan: '1 hour', points: 1000 }] },
    status: 201,
    expect: json({
      definition: [{ points: 1000, granularity: '0:00:03.600000', timespan: '1:00:00' }],
    }),
  },
  {
    name: 'derives the points and recomputes the timespan',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: { name: '6bc72791', definition: [{ timespan: '1 hour', granularity: '7s' }] },
    status: 201,
    expect: json({ definition: [{ points: 514, granularity: '0:00:07', timespan: '0:59:58' }] }),
  },
  {
    name: 'creates a rated policy',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: '595228db-rated',
      aggregation_methods: ['rate:mean', 'rate:last'],
      definition: [{ timespan: '1 hour', points: 1000 }],
    },
    status: 201,
    expect: (response) => {
      const methods = (response.json() as { aggregation_methods: string[] }).aggregation_methods;
      assert.deepEqual([...methods].sort(), ['rate:last', 'rate:mean']);
    },
  },
  {
    name: 'resolves + and - operations from the configured defaults',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: AS_ADMIN,
    body: {
      name: 'ops',
      aggregation_methods: ['-std', '+95pct'],
      definition: [{ granularity: 60 }],
    },
    status: 201,
    expect: (response) => {
      const methods = (response.json() as { aggregation_methods: string[] }).aggregation_methods;
      assert.deepEqual([...methods].sort(), ['95pct', 'count', 'max', 'mean', 'min', 'sum']);
    },
  },
];

runCases('archive policy input', CASES);
