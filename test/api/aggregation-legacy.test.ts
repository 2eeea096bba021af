/**
 * The legacy cross-metric endpoints (`/v1/aggregation/metric`, `/v1/aggregation/resource/…`) and
 * `POST /v1/search/metric`, on real storage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { send, type CaseResponse } from './cases.ts';
import { startApi, type TestApi } from './harness.ts';
import { createMetric, createTestPolicies, looseJson, rows, store } from './aggregates-support.ts';

const MISSING = '0b1cb5e0-4a3c-4b68-9a8d-6c3f0a7c2f11';
const TIMES = [
  '2015-03-06T14:33:57',
  '2015-03-06T14:34:12',
  '2015-03-06T14:34:15',
  '2015-03-06T14:35:12',
];
const zip = (values: readonly number[]): [string, number][] =>
  TIMES.map((ts, i) => [ts, values[i] as number]);

describe('legacy aggregation and metric search', () => {
  let api: TestApi;
  let m1: string;
  let m2: string;
  let m3: string;
  let empty: string;
  const projects = ['p1', 'p1', 'p2'];
  const resources: string[] = [];

  before(async () => {
    api = await startApi();
    await createTestPolicies(api);
    m1 = await createMetric(api, 'cookies');
    m2 = await createMetric(api, 'cookies');
    m3 = await createMetric(api, 'cake');
    empty = await createMetric(api, 'cookies');
    await store(api, m1, zip([43.1, 12, -16, 9]));
    await store(api, m2, zip([2, 4, 5, 10]));
    for (const [i, project] of projects.entries()) {
      const response = await send(api, {
        method: 'POST',
        url: '/v1/resource/generic',
        body: {
          id: `legacy-${i}`,
          project_id: project,
          metrics: { load: { archive_policy_name: 'cookies' } },
        },
      });
      assert.equal(response.status, 201, response.text);
      const body = response.json() as { id: string; metrics: { load: string } };
      resources.push(body.id);
      await store(api, body.metrics.load, [['2015-03-06T14:33:57', i + 1]]);
    }
  });
  after(() => api.close());

  const request = (method: 'GET' | 'POST', url: string, body?: unknown): Promise<CaseResponse> =>
    send(api, { method, url, ...(body === undefined ? {} : { body }) });
  const ok = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> => {
    const response = await request(method, url, body);
    assert.equal(response.status, 200, response.text);
    return looseJson(response);
  };
  const refused = async (method: 'GET' | 'POST', url: string, status: number, body?: unknown) => {
    const response = await request(method, url, body);
    assert.equal(response.status, status, response.text);
    return (response.json() as { description: unknown }).description;
  };

  describe('/v1/aggregation/metric', () => {
    it('aggregates the overlapping span by GET and by POST', async () => {
      const expected = [
        ...rows(60, [
          ['2015-03-06T14:33:00', 22.55],
          ['2015-03-06T14:34:00', 1.25],
          ['2015-03-06T14:35:00', 9.5],
        ]),
        ...rows(1, zip([22.55, 8, -5.5, 9.5])),
      ];
      assert.deepEqual(
        await ok('GET', `/v1/aggregation/metric?metric=${m1}&metric=${m2}`),
        expected,
      );
      assert.deepEqual(await ok('POST', '/v1/aggregation/metric', [m1, m2]), expected);
    });

    it('reaggregates and resamples', async () => {
      assert.deepEqual(
        await ok(
          'GET',
          `/v1/aggregation/metric?metric=${m1}&metric=${m2}&aggregation=max&reaggregation=min&granularity=60`,
        ),
        rows(60, [
          ['2015-03-06T14:33:00', 2],
          ['2015-03-06T14:34:00', 5],
          ['2015-03-06T14:35:00', 9],
        ]),
      );
      assert.deepEqual(
        await ok(
          'GET',
          `/v1/aggregation/metric?metric=${m1}&metric=${m2}&granularity=1&resample=60&reaggregation=sum`,
        ),
        rows(60, [
          ['2015-03-06T14:33:00', 45.1],
          ['2015-03-06T14:34:00', 2.5],
          ['2015-03-06T14:35:00', 19],
        ]),
      );
    });

    it('answers one metric from its own aggregates', async () => {
      assert.deepEqual(
        await ok('GET', `/v1/aggregation/metric?metric=${m1}&granularity=60&resample=M`),
        rows('M' as unknown as number, [['2015-03-01T00:00:00', (43.1 + -2 + 9) / 3]]),
      );
    });

    it('refuses bad and unknown metrics, granularities and methods', async () => {
      assert.equal(
        await refused('GET', '/v1/aggregation/metric?metric=foo', 400),
        'Invalid input: not a valid value @ data[0]',
      );
      assert.deepEqual(await refused('POST', '/v1/aggregation/metric', 400, ['foo']), {
        cause: 'Invalid input',
        reason: 'not a valid value @ data[0]',
        detail: ['0'],
      });
      assert.equal(
        await refused('GET', `/v1/aggregation/metric?metric=${m1}&metric=${MISSING}`, 404),
        `Metric ${MISSING} does not exist`,
      );
      assert.equal(
        await refused('GET', `/v1/aggregation/metric?metric=${m1}&metric=${m2}&granularity=5`, 404),
        `Aggregation method 'mean' at granularity '5.0' for metric ${m1} does not exist`,
      );
      assert.deepEqual(
        await refused('GET', `/v1/aggregation/metric?metric=${m1}&metric=${m3}`, 400),
        {
          cause: 'Metrics cannot be aggregated',
          reason: 'No granularity match',
          detail: [
            [m1, 'mean'],
            [m3, 'mean'],
          ],
        },
      );
      assert.equal(
        await refused('GET', `/v1/aggregation/metric?metric=${m1}&metric=${m2}&resample=60`, 400),
        'A granularity must be specified to resample',
      );
    });

    it('checks the overlap at 100% unless told otherwise', async () => {
      const description = (await refused(
        'GET',
        `/v1/aggregation/metric?metric=${m1}&metric=${empty}`,
        400,
      )) as { reason: string };
      assert.equal(description.reason, 'No overlap');
      assert.deepEqual(
        await ok(
          'GET',
          `/v1/aggregation/metric?metric=${m1}&metric=${empty}&fill=0&granularity=60`,
        ),
        rows(60, [
          ['2015-03-06T14:33:00', 21.55],
          ['2015-03-06T14:34:00', -1],
          ['2015-03-06T14:35:00', 4.5],
        ]),
      );
    });
  });

  describe('/v1/aggregation/resource/{type}/metric/{name}', () => {
    it('aggregates the named metric of every resource found, grouped on demand', async () => {
      assert.deepEqual(
        await ok(
          'POST',
          '/v1/aggregation/resource/generic/metric/load?granularity=60&aggregation=sum',
        ),
        rows(60, [['2015-03-06T14:33:00', 6]]),
      );
      assert.deepEqual(
        await ok(
          'POST',
          '/v1/aggregation/resource/generic/metric/load?granularity=60&groupby=project_id',
          {},
        ),
        [
          { group: { project_id: 'p1' }, measures: rows(60, [['2015-03-06T14:33:00', 1.5]]) },
          { group: { project_id: 'p2' }, measures: rows(60, [['2015-03-06T14:33:00', 3]]) },
        ],
      );
      assert.deepEqual(
        await ok('POST', '/v1/aggregation/resource/generic/metric/load?granularity=60', {
          '=': { project_id: 'p2' },
        }),
        rows(60, [['2015-03-06T14:33:00', 3]]),
      );
      assert.deepEqual(await ok('POST', '/v1/aggregation/resource/generic/metric/nothing'), []);
    });

    it('refuses GET, unknown types and bad groupby', async () => {
      const response = await request('GET', '/v1/aggregation/resource/generic/metric/load');
      assert.equal(response.status, 405);
      assert.equal(
        await refused('POST', '/v1/aggregation/resource/nope/metric/load', 404),
        'Resource type nope does not exist',
      );
      assert.equal(
        await refused('POST', '/v1/aggregation/resource/generic/metric/load?groupby=unit', 400),
        'Invalid groupby attribute',
      );
    });
  });

  describe('POST /v1/search/metric', () => {
    it('answers the points whose value satisfies the predicate, coarsest first', async () => {
      assert.deepEqual(
        await ok('POST', `/v1/search/metric?metric_id=${m1}&metric_id=${MISSING}`, { '≥': 10 }),
        {
          [m1]: [
            ...rows(60, [['2015-03-06T14:33:00', 43.1]]),
            ...rows(1, [
              ['2015-03-06T14:33:57', 43.1],
              ['2015-03-06T14:34:12', 12],
            ]),
          ],
        },
      );
      assert.deepEqual(
        await ok(
          'POST',
          `/v1/search/metric?metric_id=${m1}&metric_id=${m2}&granularity=60&aggregation=max`,
          {
            and: [{ '>': 3 }, { '<': 40 }],
          },
        ),
        {
          [m1]: rows(60, [
            ['2015-03-06T14:34:00', 12],
            ['2015-03-06T14:35:00', 9],
          ]),
          [m2]: rows(60, [
            ['2015-03-06T14:34:00', 5],
            ['2015-03-06T14:35:00', 10],
          ]),
        },
      );
    });

    it('refuses an empty query, missing aggregations and metrics without data', async () => {
      assert.equal(
        await refused('POST', `/v1/search/metric?metric_id=${m1}`, 400),
        'No query specified in body',
      );
      assert.deepEqual(
        await refused('POST', `/v1/search/metric?metric_id=${m1}&granularity=300`, 400, { '=': 1 }),
        {
          cause: 'Aggregation does not exist',
          detail: { granularity: 300, aggregation_method: 'mean' },
        },
      );
      const description = (await refused('POST', `/v1/search/metric?metric_id=${empty}`, 400, {
        '=': 1,
      })) as {
        cause: string;
        detail: { metric: { id: string } };
      };
      assert.equal(description.cause, 'Metric does not exist');
      assert.equal(description.detail.metric.id, empty);
      assert.equal(
        await refused('POST', `/v1/search/metric?metric_id=${m1}&start=foo`, 400, { '=': 1 }),
        'Invalid value for start',
      );
    });
  });
});
