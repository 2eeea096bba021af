/**
 * `POST /v1/aggregates` in resource mode: metric names as globs over the resources a search
 * finds, per-resource and reduced answers, `groupby`, `details`, and the refusals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { send, type CaseResponse } from './cases.ts';
import { startApi, type TestApi } from './harness.ts';
import { createTestPolicies, looseJson, rows, store } from './aggregates-support.ts';

const P1 = 'c7f32f1f-1d4d-4e6f-9b32-0f2d1e9a5a01';
const P2 = 'c7f32f1f-1d4d-4e6f-9b32-0f2d1e9a5a02';
const R = [
  'a0000000-0000-4000-8000-000000000001',
  'a0000000-0000-4000-8000-000000000002',
  'a0000000-0000-4000-8000-000000000003',
] as const;

describe('POST /v1/aggregates, resource mode', () => {
  let api: TestApi;

  before(async () => {
    api = await startApi();
    await createTestPolicies(api);
    const projects = [P1, P1, P2];
    for (const [i, id] of R.entries()) {
      const response = await send(api, {
        method: 'POST',
        url: '/v1/resource/generic',
        body: {
          id,
          user_id: 'foobar',
          project_id: projects[i],
          metrics: {
            'cpu.util': { archive_policy_name: 'cookies' },
            ...(i === 2 ? {} : { 'disk.io': { archive_policy_name: 'cookies' } }),
          },
        },
      });
      assert.equal(response.status, 201, response.text);
      const metrics = (response.json() as { metrics: Record<string, string> }).metrics;
      await store(api, metrics['cpu.util'] as string, [
        ['2015-03-06T14:33:57', 10 * (i + 1)],
        ['2015-03-06T14:34:12', 20 * (i + 1)],
      ]);
      if (metrics['disk.io'] !== undefined) {
        await store(api, metrics['disk.io'], [['2015-03-06T14:33:57', 1]]);
      }
    }
  });
  after(() => api.close());

  const post = (query: string, body: unknown): Promise<CaseResponse> =>
    send(api, { method: 'POST', url: `/v1/aggregates${query}`, body });
  const ok = async (query: string, body: unknown): Promise<unknown> => {
    const response = await post(query, body);
    assert.equal(response.status, 200, response.text);
    return looseJson(response);
  };
  const search = { resource_type: 'generic', search: { '=': { project_id: P1 } } };

  it('answers each matching metric under its resource and name', async () => {
    const answer = await ok('?granularity=60', { ...search, operations: '(metric cpu.util mean)' });
    assert.deepEqual(answer, {
      measures: {
        [R[0]]: {
          'cpu.util': {
            mean: rows(60, [
              ['2015-03-06T14:33:00', 10],
              ['2015-03-06T14:34:00', 20],
            ]),
          },
        },
        [R[1]]: {
          'cpu.util': {
            mean: rows(60, [
              ['2015-03-06T14:33:00', 20],
              ['2015-03-06T14:34:00', 40],
            ]),
          },
        },
      },
    });
  });

  it('matches metric names as globs and reduces across resources', async () => {
    const answer = await ok('?granularity=60', {
      resource_type: 'generic',
      search: {},
      operations: ['aggregate', 'sum', ['metric', ['cpu.*', 'mean']]],
    });
    assert.deepEqual(answer, {
      measures: {
        aggregated: rows(60, [
          ['2015-03-06T14:33:00', 60],
          ['2015-03-06T14:34:00', 120],
        ]),
      },
    });
  });

  it('takes the search as a filter string, and lists the resources with details', async () => {
    const answer = (await ok('?granularity=60&details=true', {
      resource_type: 'generic',
      search: `project_id = '${P2}'`,
      operations: '(aggregate max (metric (cpu.util mean) (disk.io mean)))',
    })) as { measures: unknown; references: { id: string; project_id: string }[] };
    assert.deepEqual(answer.measures, {
      aggregated: rows(60, [
        ['2015-03-06T14:33:00', 30],
        ['2015-03-06T14:34:00', 60],
      ]),
    });
    assert.deepEqual(
      answer.references.map(({ id, project_id }) => [id, project_id]),
      [[R[2], P2]],
    );
  });

  it('groups by resource attributes, each group aggregated on its own', async () => {
    const answer = await ok('?granularity=60&groupby=project_id&groupby=project_id', {
      resource_type: 'generic',
      search: {},
      operations: '(aggregate mean (metric cpu.util mean))',
    });
    assert.deepEqual(answer, [
      {
        group: { project_id: P1 },
        measures: {
          measures: {
            aggregated: rows(60, [
              ['2015-03-06T14:33:00', 15],
              ['2015-03-06T14:34:00', 30],
            ]),
          },
        },
      },
      {
        group: { project_id: P2 },
        measures: {
          measures: {
            aggregated: rows(60, [
              ['2015-03-06T14:33:00', 30],
              ['2015-03-06T14:34:00', 60],
            ]),
          },
        },
      },
    ]);
  });

  it('leaves out groups where no metric matches', async () => {
    const answer = (await ok('?granularity=60&groupby=project_id', {
      resource_type: 'generic',
      search: {},
      operations: '(metric disk.io mean)',
    })) as { group: unknown }[];
    assert.deepEqual(
      answer.map(({ group }) => group),
      [{ project_id: P1 }],
    );
  });

  it('refuses what cannot be searched or matched', async () => {
    const description = async (query: string, body: unknown, status: number) => {
      const response = await post(query, body);
      assert.equal(response.status, status, response.text);
      return (response.json() as { description: unknown }).description;
    };
    const operations = '(metric cpu.util mean)';
    assert.deepEqual(
      await description('', { operations, resource_type: 'nope', search: {} }, 400),
      {
        cause: 'Resource type does not exist',
        detail: 'nope',
      },
    );
    assert.deepEqual(await description('', { operations, resource_type: 'generic' }, 400), {
      cause: 'Invalid input',
      reason: "required key not provided @ data['search']",
      detail: ['search'],
    });
    assert.equal(
      await description(
        '',
        {
          operations: '(metric (foobar mean) (notexists mean))',
          resource_type: 'generic',
          search: {},
        },
        404,
      ),
      "Metric ['foobar', 'notexists'] does not exist",
    );
    assert.equal(
      await description('?groupby=unit', { operations, resource_type: 'generic', search: {} }, 400),
      "Invalid pagination: `Sort key supplied is invalid: unit'",
    );
  });

  it('answers 400, not 500, to a search nested 5,000 levels deep', async () => {
    const deep = '{"and":['.repeat(5000) + '{}' + ']}'.repeat(5000);
    for (const [url, body] of [
      ['/v1/search/resource/generic', deep],
      [
        '/v1/aggregates',
        `{"operations": "(metric cpu.util mean)", "resource_type": "generic", "search": ${deep}}`,
      ],
      [
        '/v1/search/resource/generic?filter=' +
          encodeURIComponent(`${'('.repeat(5000)}id = 1${')'.repeat(5000)}`),
        undefined,
      ],
    ] as const) {
      const response = await send(api, {
        method: 'POST',
        url,
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(response.status, 400, `${url}: ${response.text.slice(0, 200)}`);
      assert.match(response.text, /nested deeper than 100 levels/);
    }
  });
});
