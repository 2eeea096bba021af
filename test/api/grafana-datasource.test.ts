/**
 * The requests the Grafana Gnocchi datasource (gnocchixyz/grafana-gnocchi-datasource,
 * `src/datasource.ts`) sends in its "dynamic aggregates" and "resource aggregation" modes, built
 * as it builds them: every query parameter it sets (null ones left out, lists repeated, the `end`
 * it sends beside `stop`), the operations and the search as the text typed in its editor, and
 * the datasource's headers (`X-User-Id`, `X-Project-Id`, `X-Roles` in its default mode).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { send, type CaseResponse } from './cases.ts';
import { startApi, type TestApi } from './harness.ts';
import { createTestPolicies, looseJson, rows, store } from './aggregates-support.ts';

const PROJECT = 'f3c1b6f4-5e9d-4a8e-9d51-4c7e5b0a9e21';
const HEADERS = {
  authorization: null,
  'x-user-id': 'grafana',
  'x-project-id': PROJECT,
  'x-domain-id': 'default',
  'x-roles': 'admin',
};
const RANGE = {
  start: '2015-03-06T14:00:00.000Z',
  end: '2015-03-06T15:00:00.000Z',
  stop: '2015-03-06T15:00:00.000Z',
};

/** Grafana's serialization of `params`: nulls dropped, arrays repeated. */
function query(params: Record<string, string | number | string[] | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  return `?${search.toString()}`;
}

describe('the requests of the Grafana Gnocchi datasource', () => {
  let api: TestApi;
  const metrics: string[] = [];

  before(async () => {
    api = await startApi({ api: { auth: 'noauth' } });
    await createTestPolicies(api, HEADERS);
    for (const [i, host] of ['web-1', 'web-2', 'db-1'].entries()) {
      const response = await send(api, {
        method: 'POST',
        url: '/v1/resource/generic',
        headers: HEADERS,
        body: {
          id: host,
          project_id: PROJECT,
          user_id: i < 2 ? 'web' : 'db',
          metrics: { 'cpu.util': { archive_policy_name: 'cookies' } },
        },
      });
      assert.equal(response.status, 201, response.text);
      const id = (response.json() as { metrics: Record<string, string> }).metrics[
        'cpu.util'
      ] as string;
      metrics.push(id);
      await store(api, id, [
        ['2015-03-06T14:10:00', 10 * (i + 1)],
        ['2015-03-06T14:11:00', 20 * (i + 1)],
      ]);
    }
  });
  after(() => api.close());

  const post = async (url: string, body: string | undefined): Promise<CaseResponse> => {
    const response = await send(api, {
      method: 'POST',
      url,
      headers: HEADERS,
      ...(body === undefined ? {} : { body }),
    });
    assert.equal(response.status, 200, response.text);
    return response;
  };

  it('dynamic aggregates over a search string, with its default fill and overlap', async () => {
    const params = { ...RANGE, granularity: '60', needed_overlap: 0, fill: null, details: 'true' };
    const body = JSON.stringify({
      operations: '(aggregate mean (metric cpu.util mean))',
      search: "user_id = 'web'",
      resource_type: 'generic',
    });
    const answer = looseJson(await post(`/v1/aggregates${query(params)}`, body)) as {
      measures: unknown;
      references: { user_id: string }[];
    };
    assert.deepEqual(answer.measures, {
      aggregated: rows(60, [
        ['2015-03-06T14:10:00', 15],
        ['2015-03-06T14:11:00', 30],
      ]),
    });
    assert.deepEqual(
      answer.references.map(({ user_id }) => user_id),
      ['web', 'web'],
    );
  });

  it('dynamic aggregates grouped, the search typed as JSON text', async () => {
    const params = {
      ...RANGE,
      granularity: null,
      needed_overlap: 0,
      fill: 0,
      details: 'true',
      groupby: ['user_id'],
    };
    const body = JSON.stringify({
      operations: '(aggregate sum (metric cpu.util mean))',
      search: JSON.stringify({ '=': { project_id: PROJECT } }),
      resource_type: 'generic',
    });
    const answer = looseJson(await post(`/v1/aggregates${query(params)}`, body)) as {
      group: unknown;
      measures: { measures: { aggregated: unknown[] } };
    }[];
    assert.deepEqual(
      answer.map(({ group, measures }) => [group, measures.measures.aggregated.slice(0, 2)]),
      [
        [
          { user_id: 'db' },
          rows(60, [
            ['2015-03-06T14:10:00', 30],
            ['2015-03-06T14:11:00', 60],
          ]),
        ],
        [
          { user_id: 'web' },
          rows(60, [
            ['2015-03-06T14:10:00', 30],
            ['2015-03-06T14:11:00', 60],
          ]),
        ],
      ],
    );
  });

  it('dynamic aggregates over metric ids, without a search', async () => {
    const params = {
      ...RANGE,
      granularity: '60',
      needed_overlap: 0,
      fill: 'null',
      details: 'true',
    };
    const body = JSON.stringify({
      operations: `(- (metric ${metrics[2]} mean) (metric ${metrics[0]} mean))`,
    });
    const answer = looseJson(await post(`/v1/aggregates${query(params)}`, body)) as {
      measures: unknown;
    };
    assert.deepEqual(answer.measures, {
      aggregated: rows(60, [
        ['2015-03-06T14:10:00', 20],
        ['2015-03-06T14:11:00', 40],
      ]),
    });
  });

  it('resource aggregation grouped, the JSON search in the body', async () => {
    const params = {
      aggregation: 'mean',
      reaggregation: 'max',
      ...RANGE,
      granularity: '60',
      needed_overlap: 0,
      fill: 0,
      groupby: ['user_id'],
    };
    const body = JSON.stringify({ '=': { project_id: PROJECT } });
    const answer = looseJson(
      await post(`/v1/aggregation/resource/generic/metric/cpu.util${query(params)}`, body),
    );
    assert.deepEqual(answer, [
      {
        group: { user_id: 'db' },
        measures: rows(60, [
          ['2015-03-06T14:10:00', 30],
          ['2015-03-06T14:11:00', 60],
        ]),
      },
      {
        group: { user_id: 'web' },
        measures: rows(60, [
          ['2015-03-06T14:10:00', 20],
          ['2015-03-06T14:11:00', 40],
        ]),
      },
    ]);
  });

  it('resource aggregation: a resource search, then the metrics by id', async () => {
    const found = (
      await post(`/v1/search/resource/generic${query({ filter: "user_id = 'web'" })}`, undefined)
    ).json() as {
      metrics: Record<string, string>;
    }[];
    const ids = found.map((resource) => resource.metrics['cpu.util'] as string);
    const params = {
      aggregation: 'mean',
      ...RANGE,
      granularity: '60',
      reaggregation: 'sum',
      fill: null,
      needed_overlap: 0,
      metric: ids,
    };
    const response = await send(api, {
      method: 'GET',
      url: `/v1/aggregation/metric${query(params)}`,
      headers: HEADERS,
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(
      looseJson(response),
      rows(60, [
        ['2015-03-06T14:10:00', 30],
        ['2015-03-06T14:11:00', 60],
      ]),
    );
  });
});
