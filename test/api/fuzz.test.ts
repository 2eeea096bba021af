/**
 * Malformed requests at every endpoint: random methods, paths among the real ones with random
 * names and ids, random query strings, bodies (JSON-ish, nearly valid, not JSON at all) and
 * headers (Accept, Content-Type, Authorization garbage). Whatever comes in, the API must answer
 * without a server error, and every refusal must be Gnocchi's JSON error body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';
import type { HTTPMethods, InjectOptions } from 'fastify';

import { upgradeIndexer } from '../../src/indexer/index.ts';
import { assertErrorBody } from './cases.ts';
import { ADMIN, FOOBAR, startApi, type TestApi } from './harness.ts';

const METHODS: readonly HTTPMethods[] = [
  'GET',
  'POST',
  'PATCH',
  'DELETE',
  'PUT',
  'HEAD',
  'OPTIONS',
];

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 40,
});
const anyText = fc.oneof(printable, fc.string({ unit: 'grapheme', maxLength: 20 }));
const urlPart = fc.oneof(
  anyText.map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E2%9C', '..', '', '%00', 'low', 'a%2Fb'),
);

/** Values of any JSON type, biased towards what the API parses. */
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '1 hour',
    '0:01:00',
    '-5 minutes',
    '1e308',
    '60',
    'rate:mean',
    '*',
    '-max',
    'low',
  ),
  fc.integer({ min: -2, max: 100_000 }),
  fc.double({ noNaN: true }),
  anyText,
  fc.constant(null),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 2 }),
);

const definitionItem = fc.record(
  { granularity: jsonish, points: jsonish, timespan: jsonish, extra: jsonish },
  { requiredKeys: [] },
);
const archivePolicyBody = fc.record(
  {
    name: fc.oneof(anyText, jsonish),
    back_window: jsonish,
    definition: fc.oneof(fc.array(definitionItem, { maxLength: 4 }), jsonish),
    aggregation_methods: fc.oneof(fc.array(jsonish, { maxLength: 4 }), jsonish),
  },
  { requiredKeys: [] },
);
const ruleBody = fc.record(
  { name: fc.oneof(anyText, jsonish), metric_pattern: jsonish, archive_policy_name: jsonish },
  { requiredKeys: [] },
);
const metricBody = fc.record(
  { archive_policy_name: jsonish, name: jsonish, unit: jsonish, resource_id: jsonish },
  { requiredKeys: [] },
);

const measure = fc.record(
  {
    timestamp: fc.oneof(jsonish, fc.constantFrom('2015-03-06T14:33:57', '-5 minutes', '1e400')),
    value: fc.oneof(jsonish, fc.constantFrom('NaN', 'inf', '1e400', '0x10')),
  },
  { requiredKeys: [] },
);
const measuresBody = fc.oneof(fc.array(measure, { maxLength: 4 }), fc.array(jsonish));
const batchBody = fc.dictionary(fc.oneof(fc.uuid(), anyText), fc.oneof(measuresBody, jsonish), {
  maxKeys: 3,
});

const body: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .oneof(archivePolicyBody, ruleBody, metricBody, measuresBody, batchBody, jsonish)
    .map((value) => JSON.stringify(value)),
  anyText,
  fc.constantFrom('', '{', '[', 'null', '\ufeff{}', '{"a":1}}'),
);

const path = (ids: () => readonly string[]) =>
  fc.oneof(
    fc.constantFrom('/', '/v1', '/v1/', '/v1/capabilities', '/healthcheck', '/v1/metric/'),
    fc.constantFrom('/v1/archive_policy', '/v1/archive_policy_rule', '/v1/metric'),
    urlPart.map((name) => `/v1/archive_policy/${name}`),
    urlPart.map((name) => `/v1/archive_policy_rule/${name}`),
    fc.oneof(urlPart, fc.uuid(), fc.constant('')).map((id) => `/v1/metric/${id}`),
    fc.nat().map((index) => `/v1/metric/${ids()[index % Math.max(ids().length, 1)] ?? 'x'}`),
    fc
      .nat()
      .map((index) => `/v1/metric/${ids()[index % Math.max(ids().length, 1)] ?? 'x'}/measures`),
    fc.oneof(urlPart, fc.uuid()).map((id) => `/v1/metric/${id}/measures`),
    fc.constantFrom('/v1/batch/metrics/measures', '/v1/status', '/v1/batch'),
    fc.array(urlPart, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  );

const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('limit', 'marker', 'sort', 'id', 'name', 'status', 'unit', 'creator'),
        fc.constantFrom('details'),
        fc.constantFrom('user_id', 'project_id', 'archive_policy_name'),
        urlPart,
      ),
      fc.oneof(urlPart, fc.constantFrom('0', '-1', '7', 'id:desc', 'name', 'x:asc', 'delete')),
    ),
    { maxLength: 5 },
  )
  .map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`,
  );

const headers = fc.record(
  {
    accept: fc.oneof(
      fc.constantFrom('application/json', 'text/plain', '*/*', 'application/json;q=0'),
      printable,
    ),
    'content-type': fc.oneof(
      fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
      printable,
    ),
    authorization: fc.oneof(
      fc.constantFrom(ADMIN, FOOBAR, 'Basic', 'Basic Og==', 'Bearer x'),
      printable,
      anyText.map((text) => `Basic ${Buffer.from(text).toString('base64')}`),
    ),
    origin: fc.constantFrom('http://foobar.com', 'null'),
    'x-forwarded-host': printable,
    'x-forwarded-prefix': printable,
    forwarded: printable,
  },
  { requiredKeys: [] },
);

describe('malformed requests', () => {
  let api: TestApi;
  const ids: string[] = [];
  before(async () => {
    api = await startApi({
      api: { corsAllowedOrigins: ['http://foobar.com'], trustedProxies: ['loopback'] },
    });
    await upgradeIndexer(api.indexer, {
      createDefaultArchivePolicies: 'when-empty',
      defaultAggregationMethods: ['mean', 'min', 'max', 'sum', 'std', 'count'],
    });
    for (const name of ['cpu', 'disk.io', null]) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/metric',
        headers: { authorization: FOOBAR, 'content-type': 'application/json' },
        payload: JSON.stringify({ archive_policy_name: 'low', ...(name ? { name } : {}) }),
      });
      ids.push(response.json<{ id: string }>().id);
    }
  });
  after(() => api.close());

  it('never answer with a server error, and refuse with the JSON error body', async () => {
    const request = fc.record({
      method: fc.constantFrom(...METHODS),
      url: fc
        .tuple(
          path(() => ids),
          query,
        )
        .map(([p, q]) => p + q),
      headers,
      body,
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, url, headers: sent, body: payload }) => {
        const options: InjectOptions = { method, url, headers: sent };
        if (payload !== undefined) options.payload = payload;
        const response = await api.app.inject(options);
        const summary = `${method} ${url} → ${response.statusCode} ${response.body}`;
        assert.ok(response.statusCode < 500, summary);
        if (response.statusCode >= 400 && method !== 'HEAD') {
          assertErrorBody({
            status: response.statusCode,
            headers: response.headers,
            text: response.body,
            json: () => JSON.parse(response.body) as unknown,
          });
        }
      }),
      { numRuns: 500 },
    );
  });
});
