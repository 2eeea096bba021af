/**
 * The documents outside the resources: versions (`/`), links (`/v1/`), capabilities, health check;
 * as in Gnocchi's gabbits `base.yaml` and `healthcheck.yaml`, all answered to anonymous callers.
 */
import assert from 'node:assert/strict';

import { ALL_AGGREGATION_METHODS } from '../../src/carbonara/index.ts';
import { header, json, runCases, type ApiCase } from './cases.ts';

const ANONYMOUS = { authorization: null, 'content-type': null };

const CASES: readonly ApiCase[] = [
  {
    name: 'describes the versions at /',
    method: 'GET',
    url: '/',
    headers: ANONYMOUS,
    status: 200,
    expect: [
      header('content-type', /^application\/json/),
      json({
        versions: [
          {
            id: 'v1.0',
            status: 'CURRENT',
            updated: '2015-03-19',
            links: [{ rel: 'self', href: 'http://localhost:80/v1/' }],
          },
        ],
      }),
      (response) => {
        assert.equal(typeof (response.json() as { build: unknown }).build, 'string');
      },
    ],
  },
  {
    name: 'redirects /v1 to /v1/',
    method: 'GET',
    url: '/v1',
    headers: ANONYMOUS,
    status: 302,
    expect: header('location', 'http://localhost:80/v1/'),
  },
  {
    name: 'links the resources at /v1/',
    method: 'GET',
    url: '/v1/',
    headers: ANONYMOUS,
    status: 200,
    expect: (response) => {
      const body = response.json() as { version: string; links: { rel: string; href: string }[] };
      assert.equal(body.version, '1.0');
      assert.deepEqual(body.links[0], { rel: 'self', href: 'http://localhost:80/v1' });
      assert.deepEqual(
        body.links.slice(1).map((link) => link.rel),
        [
          'aggregates',
          'aggregation',
          'archive_policy',
          'archive_policy_rule',
          'batch',
          'capabilities',
          'metric',
          'resource',
          'resource_type',
          'search',
          'status',
        ],
      );
      for (const link of body.links.slice(1)) {
        assert.equal(link.href, `http://localhost:80/v1/${link.rel}`);
      }
    },
  },
  {
    name: 'lists the 216 aggregation methods as capabilities',
    method: 'GET',
    url: '/v1/capabilities',
    headers: ANONYMOUS,
    status: 200,
    expect: (response) => {
      const methods = (response.json() as { aggregation_methods: string[] }).aggregation_methods;
      assert.equal(methods.length, 216);
      assert.deepEqual([...methods].sort(), [...ALL_AGGREGATION_METHODS].sort());
      assert.ok(methods.includes('rate:95pct'));
    },
  },
  {
    name: 'answers the health check with an empty text body',
    method: 'GET',
    url: '/healthcheck',
    headers: ANONYMOUS,
    status: 200,
    expect: [
      header('content-type', /^text\/plain/),
      (response) => {
        assert.equal(response.text, '');
      },
    ],
  },
  {
    name: 'answers the health check whatever the client accepts',
    method: 'GET',
    url: '/healthcheck',
    headers: { ...ANONYMOUS, accept: 'text/html' },
    status: 200,
  },
  { name: 'answers HEAD on the health check', method: 'HEAD', url: '/healthcheck', status: 200 },
  {
    name: 'refuses the versions document as text',
    method: 'GET',
    url: '/',
    headers: { accept: 'text/plain' },
    status: 406,
  },
  {
    name: 'refuses POST on the capabilities',
    method: 'POST',
    url: '/v1/capabilities',
    body: {},
    status: 405,
  },
];

runCases('root documents', CASES);
