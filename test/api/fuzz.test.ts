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

const operationName = fc.constantFrom(
  'metric',
  'aggregate',
  'rolling',
  'resample',
  '+',
  '≥',
  'clip',
  'abs',
  'rateofchangesec',
  'mean',
  'rate:max',
  '95pct',
  'cpu',
  'disk.*',
);
const operations: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonish,
    operationName,
    fc.array(fc.oneof(operationName, tie('node')), { maxLength: 5 }),
  ),
})).node;
const filter: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom({}, { '=': { id: 'x' } }, { and: [] }, { like: { id: '%' } }, "id = 'x'", 'x ='),
  fc.dictionary(fc.constantFrom('=', 'and', 'not', 'in', '>=', 'like', 'x'), jsonish, {
    maxKeys: 2,
  }),
);
const aggregatesBody = fc.record(
  {
    operations: fc.oneof(
      operations,
      operations.map((tree) => JSON.stringify(tree)),
      anyText,
    ),
    resource_type: fc.oneof(fc.constantFrom('generic', 'nope'), jsonish),
    search: fc.oneof(filter, jsonish),
  },
  { requiredKeys: [] },
);
const resourceBody = fc.record(
  {
    id: fc.oneof(anyText, fc.uuid(), jsonish),
    user_id: jsonish,
    project_id: jsonish,
    started_at: jsonish,
    metrics: fc.oneof(
      fc.dictionary(anyText, fc.oneof(metricBody, jsonish), { maxKeys: 2 }),
      jsonish,
    ),
  },
  { requiredKeys: [] },
);

const body: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .oneof(
      archivePolicyBody,
      ruleBody,
      metricBody,
      measuresBody,
      batchBody,
      aggregatesBody,
      resourceBody,
      filter,
      jsonish,
    )
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
    fc.constantFrom(
      '/v1/aggregates',
      '/v1/aggregation/metric',
      '/v1/search/metric',
      '/v1/batch/resources/metrics/measures',
      '/v1/resource',
      '/v1/resource_type',
      '/v1/resource/generic',
      '/v1/search/resource/generic',
      '/v1/aggregation/resource/generic/metric/cpu',
    ),
    fc
      .tuple(fc.constantFrom('generic', 'nope', ''), fc.oneof(urlPart, fc.uuid()))
      .map(([type, id]) => `/v1/resource/${type}/${id}`),
    urlPart.map((name) => `/v1/resource_type/${name}`),
    fc
      .tuple(
        fc.oneof(urlPart, fc.uuid()),
        fc.constantFrom('history', 'metric', 'metric/cpu/measures'),
      )
      .map(([id, rest]) => `/v1/resource/generic/${id}/${rest}`),
    fc.array(urlPart, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  );

const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('limit', 'marker', 'sort', 'id', 'name', 'status', 'unit', 'creator'),
        fc.constantFrom('details'),
        fc.constantFrom('user_id', 'project_id', 'archive_policy_name'),
        fc.constantFrom('granularity', 'fill', 'needed_overlap', 'start', 'stop', 'groupby'),
        fc.constantFrom('aggregation', 'reaggregation', 'resample', 'refresh', 'filter'),
        fc.constantFrom('metric', 'metric_id', 'history', 'attrs', 'create_metrics'),
        urlPart,
      ),
      fc.oneof(
        urlPart,
        fc.constantFrom('0', '-1', '7', 'id:desc', 'name', 'x:asc', 'delete', '60', 'M', 'ffill'),
        fc.constantFrom('true', 'nan', '1e400', 'mean', 'rate:mean', 'project_id', '-1 hour'),
      ),
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

/** A user the fuzz never speaks as, owning data that must come through unchanged. */
const KEEPER = `Basic ${Buffer.from('keeper:').toString('base64')}`;
/** Requests per run; `ORZO_FUZZ_SEED` replays a run fast-check reported. */
const RUNS = 20_000;
const SEED = Number(process.env.ORZO_FUZZ_SEED ?? 20_261_204);

describe('malformed requests', () => {
  let api: TestApi;
  const ids: string[] = [];
  let kept = '';
  let keptAnswer = '';
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
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/metric',
      headers: { authorization: KEEPER, 'content-type': 'application/json' },
      payload: JSON.stringify({ archive_policy_name: 'low' }),
    });
    kept = created.json<{ id: string }>().id;
    const posted = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${kept}/measures`,
      headers: { authorization: KEEPER, 'content-type': 'application/json' },
      payload: JSON.stringify([
        { timestamp: '2026-01-01T00:00:00', value: 1.5 },
        { timestamp: '2026-01-01T00:10:00', value: -2 },
      ]),
    });
    assert.equal(posted.statusCode, 202);
    keptAnswer = await pendingMeasures(api, kept);
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
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('leaves data posted before it exactly as it was', async () => {
    assert.notEqual(keptAnswer, '');
    assert.equal(await pendingMeasures(api, kept), keptAnswer);
  });
});

/** The measures waiting for a metric, as text, to compare before and after. */
async function pendingMeasures(api: TestApi, metricId: string): Promise<string> {
  const { measures, corrupt } = await api.incoming.readPending(metricId);
  return JSON.stringify([[...measures.timestamps], [...measures.values], corrupt.length]);
}
