/**
 * `POST /v1/aggregates` in metric mode on real storage: the worked examples of Gnocchi's
 * behaviour (two metrics of policy `cookies`, 1 s and 60 s), every reply shape, fill and overlap,
 * both forms of the operations, and every refusal with its description.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { send, type CaseResponse } from './cases.ts';
import { FOOBAZ, startApi, type TestApi } from './harness.ts';
import { createMetric, createTestPolicies, looseJson, rows, store } from './aggregates-support.ts';

const MISSING = '0b1cb5e0-4a3c-4b68-9a8d-6c3f0a7c2f11';
const TIMES = [
  '2015-03-06T14:33:57',
  '2015-03-06T14:34:12',
  '2015-03-06T14:34:15',
  '2015-03-06T14:35:12',
  '2015-03-06T14:35:15',
];
const M1_VALUES = [43.1, 12, -16, 9, 11];
const M2_VALUES = [2, 4, 5, 10, 15];
const zip = (values: readonly number[]): [string, number][] =>
  TIMES.map((ts, i) => [ts, values[i] as number]);

const M1_MEAN = [
  ...rows(60, [
    ['2015-03-06T14:33:00', 43.1],
    ['2015-03-06T14:34:00', -2],
    ['2015-03-06T14:35:00', 10],
  ]),
  ...rows(1, zip(M1_VALUES)),
];
const M2_MEAN = [
  ...rows(60, [
    ['2015-03-06T14:33:00', 2],
    ['2015-03-06T14:34:00', 4.5],
    ['2015-03-06T14:35:00', 12.5],
  ]),
  ...rows(1, zip(M2_VALUES)),
];

describe('POST /v1/aggregates, metric mode', () => {
  let api: TestApi;
  let m1: string;
  let m2: string;
  let m3: string;
  let m4: string;
  let empty: string;

  before(async () => {
    api = await startApi();
    await createTestPolicies(api);
    m1 = await createMetric(api, 'cookies');
    m2 = await createMetric(api, 'cookies');
    m3 = await createMetric(api, 'cake');
    m4 = await createMetric(api, 'cookies');
    empty = await createMetric(api, 'cookies');
    await store(api, m1, zip(M1_VALUES));
    await store(api, m2, zip(M2_VALUES));
    await store(api, m4, [
      ['2017-04-06T14:33:57', 20],
      ['2017-04-06T14:34:12', 10],
    ]);
  });
  after(() => api.close());

  const post = (query: string, body: unknown, authorization?: string): Promise<CaseResponse> =>
    send(api, {
      method: 'POST',
      url: `/v1/aggregates${query}`,
      body,
      ...(authorization === undefined ? {} : { headers: { authorization } }),
    });
  const ok = async (query: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await post(query, body);
    assert.equal(response.status, 200, response.text);
    return looseJson(response) as Record<string, unknown>;
  };
  const refused = async (query: string, body: unknown, status: number): Promise<unknown> => {
    const response = await post(query, body);
    assert.equal(response.status, status, response.text);
    return (response.json() as { description: unknown }).description;
  };

  describe('reply shapes', () => {
    it('answers each metric on its own when nothing reduces them', async () => {
      const answer = await ok('', { operations: ['metric', [m1, 'mean'], [m2, 'mean']] });
      assert.deepEqual(answer, { measures: { [m1]: { mean: M1_MEAN }, [m2]: { mean: M2_MEAN } } });
    });

    it('reduces with aggregate mean, coarsest granularity first', async () => {
      const answer = await ok('', {
        operations: `(aggregate mean (metric (${m1} mean) (${m2} mean)))`,
      });
      assert.deepEqual(answer, {
        measures: {
          aggregated: [
            ...rows(60, [
              ['2015-03-06T14:33:00', 22.55],
              ['2015-03-06T14:34:00', 1.25],
              ['2015-03-06T14:35:00', 11.25],
            ]),
            ...rows(1, zip([22.55, 8, -5.5, 9.5, 13])),
          ],
        },
      });
    });

    it('reduces a binary operation between two series, and not one with a number', async () => {
      const minus = await ok('', { operations: `(- (metric ${m1} mean) (metric ${m2} mean)))` });
      assert.deepEqual((minus.measures as { aggregated: unknown[] }).aggregated.slice(0, 3), [
        ...rows(60, [
          ['2015-03-06T14:33:00', 41.1],
          ['2015-03-06T14:34:00', -6.5],
          ['2015-03-06T14:35:00', -2.5],
        ]),
      ]);
      const plus = await ok('', { operations: ['+', ['metric', [m1, 'mean'], [m2, 'mean']], 2.0] });
      const measures = plus.measures as Record<string, { mean: unknown[] }>;
      assert.deepEqual(measures[m2]?.mean.slice(0, 3), [
        ...rows(60, [
          ['2015-03-06T14:33:00', 4],
          ['2015-03-06T14:34:00', 6.5],
          ['2015-03-06T14:35:00', 14.5],
        ]),
      ]);
      assert.deepEqual(measures[m1]?.mean[1], ['2015-03-06T14:34:00+00:00', 60, 0]);
    });

    it('lists the metrics once under references with details=true', async () => {
      const answer = await ok('?details=true', {
        operations: ['metric', [m1, 'mean'], [m2, 'mean'], [m2, 'mean']],
      });
      const references = answer.references as { id: string; archive_policy: { name: string } }[];
      assert.deepEqual(
        references.map(({ id }) => id),
        [m1, m2],
      );
      assert.equal(references[0]?.archive_policy.name, 'cookies');
    });

    it('honours start, stop and granularity', async () => {
      const answer = await ok('?start=2015-03-06T14:34:00&stop=2015-03-06T14:35:13', {
        operations: ['metric', m1, 'mean'],
      });
      assert.deepEqual((answer.measures as Record<string, unknown>)[m1], {
        mean: [
          ...rows(60, [
            ['2015-03-06T14:34:00', -2],
            ['2015-03-06T14:35:00', 10],
          ]),
          ...rows(1, zip(M1_VALUES).slice(1, 4)),
        ],
      });
      const coarse = await ok('?granularity=60', {
        operations: ['metric', [m1, 'max'], [m2, 'min']],
      });
      assert.deepEqual(coarse.measures, {
        [m1]: {
          max: rows(60, [
            ['2015-03-06T14:33:00', 43.1],
            ['2015-03-06T14:34:00', 12],
            ['2015-03-06T14:35:00', 11],
          ]),
        },
        [m2]: {
          min: rows(60, [
            ['2015-03-06T14:33:00', 2],
            ['2015-03-06T14:34:00', 4],
            ['2015-03-06T14:35:00', 10],
          ]),
        },
      });
    });
  });

  describe('operations', () => {
    it('resamples and rolls each metric', async () => {
      const resampled = await ok('?granularity=1', {
        operations: ['resample', 'mean', 60, ['metric', [m1, 'mean'], [m2, 'mean']]],
      });
      assert.deepEqual((resampled.measures as Record<string, unknown>)[m2], {
        mean: rows(60, [
          ['2015-03-06T14:33:00', 2],
          ['2015-03-06T14:34:00', 4.5],
          ['2015-03-06T14:35:00', 12.5],
        ]),
      });
      const rolled = await ok('?granularity=1', {
        operations: ['rolling', 'mean', 2, ['metric', [m1, 'mean'], [m2, 'mean']]],
      });
      assert.deepEqual(rolled.measures, {
        [m1]: { mean: rows(1, zip([0, 27.55, -2, -3.5, 10]).slice(1)) },
        [m2]: { mean: rows(1, zip([0, 3, 4.5, 7.5, 12.5]).slice(1)) },
      });
    });

    it('applies unary operators and rates', async () => {
      const negative = await ok('?granularity=60', {
        operations: `(negative (absolute (aggregate mean (metric (${m1} mean) (${m2} mean)))))`,
      });
      assert.deepEqual(
        (negative.measures as { aggregated: unknown }).aggregated,
        rows(60, [
          ['2015-03-06T14:33:00', -22.55],
          ['2015-03-06T14:34:00', -1.25],
          ['2015-03-06T14:35:00', -11.25],
        ]),
      );
      const rate = await ok('?granularity=60', {
        operations: `(rateofchange (metric ${m2} mean))`,
      });
      assert.deepEqual(rate.measures, {
        [m2]: {
          mean: rows(60, [
            ['2015-03-06T14:34:00', 2.5],
            ['2015-03-06T14:35:00', 8],
          ]),
        },
      });
      const perSecond = await ok('?granularity=60', {
        operations: `(rateofchangesec (metric ${m2} mean))`,
      });
      assert.deepEqual(perSecond.measures, {
        [m2]: {
          mean: rows(60, [
            ['2015-03-06T14:34:00', 2.5 / 60],
            ['2015-03-06T14:35:00', 8 / 60],
          ]),
        },
      });
      const summed = await ok('?granularity=60', {
        operations: ['aggregate', 'rate:sum', ['metric', [m1, 'mean'], [m2, 'mean']]],
      });
      assert.deepEqual(
        (summed.measures as { aggregated: unknown }).aggregated,
        rows(60, [
          ['2015-03-06T14:34:00', 2.5 - 45.1],
          ['2015-03-06T14:35:00', 22.5 - 2.5],
        ]),
      );
    });

    it('compares and clips, keeping 0 and 1 as values', async () => {
      const compared = await ok('?granularity=60', { operations: `(≥ (metric ${m1} mean) 10)` });
      assert.deepEqual(compared.measures, {
        [m1]: {
          mean: rows(60, [
            ['2015-03-06T14:33:00', 1],
            ['2015-03-06T14:34:00', 0],
            ['2015-03-06T14:35:00', 1],
          ]),
        },
      });
      const clipped = await ok('?granularity=60', {
        operations: `(clip (metric ${m1} mean) 0 20)`,
      });
      assert.deepEqual(clipped.measures, {
        [m1]: {
          mean: rows(60, [
            ['2015-03-06T14:33:00', 20],
            ['2015-03-06T14:34:00', 0],
            ['2015-03-06T14:35:00', 10],
          ]),
        },
      });
    });

    it('refuses a window longer than the series', async () => {
      const description = await refused(
        '?granularity=60',
        {
          operations: ['rolling', 'mean', 4, ['metric', m1, 'mean']],
        },
        400,
      );
      assert.deepEqual(description, {
        cause: 'Metrics cannot be aggregated',
        reason: "Rolling window '4' is greater than serie length '3'",
        detail: [[m1, 'mean']],
      });
    });
  });

  describe('fill and overlap', () => {
    it('drops the points of misaligned series by default, fills with a number or NaN on demand', async () => {
      const dropped = await ok('?granularity=60', {
        operations: `(metric (${m1} mean) (${m4} mean))`,
      });
      assert.equal(
        ((dropped.measures as Record<string, { mean: unknown[] }>)[m4]?.mean ?? []).length,
        2,
      );
      const numbered = await ok('?granularity=60&fill=123', {
        operations: `(aggregate max (metric (${m1} mean) (${m4} mean)))`,
      });
      assert.deepEqual(
        (numbered.measures as { aggregated: unknown }).aggregated,
        rows(60, [
          ['2015-03-06T14:33:00', 123],
          ['2015-03-06T14:34:00', 123],
          ['2015-03-06T14:35:00', 123],
          ['2017-04-06T14:33:00', 123],
          ['2017-04-06T14:34:00', 123],
        ]),
      );
      const nulls = await ok('?granularity=60&fill=null', {
        operations: `(metric (${m1} mean) (${m4} mean))`,
      });
      assert.deepEqual(
        (nulls.measures as Record<string, { mean: unknown }>)[m4]?.mean,
        rows(60, [
          ['2015-03-06T14:33:00', 'NaN'],
          ['2015-03-06T14:34:00', 'NaN'],
          ['2015-03-06T14:35:00', 'NaN'],
          ['2017-04-06T14:33:00', 20],
          ['2017-04-06T14:34:00', 10],
        ]),
      );
    });

    it('carries values along time with ffill, bfill and their full forms', async () => {
      const operations = `(metric (${m1} mean) (${m4} mean))`;
      const series = async (fill: string) =>
        (await ok(`?granularity=60&fill=${fill}`, { operations })).measures as Record<
          string,
          { mean: unknown }
        >;
      assert.deepEqual(
        (await series('ffill'))[m1]?.mean,
        rows(60, [
          ['2015-03-06T14:33:00', 43.1],
          ['2015-03-06T14:34:00', -2],
          ['2015-03-06T14:35:00', 10],
          ['2017-04-06T14:33:00', 10],
          ['2017-04-06T14:34:00', 10],
        ]),
      );
      assert.deepEqual(
        (await series('bfill'))[m4]?.mean,
        rows(60, [
          ['2015-03-06T14:33:00', 20],
          ['2015-03-06T14:34:00', 20],
          ['2015-03-06T14:35:00', 20],
          ['2017-04-06T14:33:00', 20],
          ['2017-04-06T14:34:00', 10],
        ]),
      );
      assert.equal(((await series('full_ffill'))[m4]?.mean as unknown[]).length, 5);
      assert.equal(((await series('full_bfill'))[m1]?.mean as unknown[]).length, 5);
    });

    it('checks the overlap when needed_overlap is given without fill', async () => {
      const description = await refused(
        '?needed_overlap=50',
        {
          operations: `(metric (${m1} mean) (${m4} mean))`,
        },
        400,
      );
      assert.deepEqual(description, {
        cause: 'Metrics cannot be aggregated',
        reason: 'No overlap',
        detail: [
          [m1, 'mean'],
          [m4, 'mean'],
        ],
      });
      const partial = await ok('?needed_overlap=0&granularity=60&start=2015-03-06T14:33:00', {
        operations: `(aggregate mean (metric (${m1} mean) (${m2} mean)))`,
      });
      assert.equal((partial.measures as { aggregated: unknown[] }).aggregated.length, 3);
    });

    it('refuses too little overlap with the percentages', async () => {
      await store(api, m2, [['2015-03-06T14:40:00', 1]]);
      try {
        const description = await refused(
          '?needed_overlap=100&granularity=60&start=2015-03-06T14:00:00&stop=2015-03-06T15:00:00',
          {
            operations: `(aggregate mean (metric (${m1} mean) (${m2} mean)))`,
          },
          400,
        );
        assert.deepEqual(description, {
          cause: 'Metrics cannot be aggregated',
          reason: 'Less than 100.000000% of datapoints overlap in this timespan (75.00%)',
          detail: [
            [m1, 'mean'],
            [m2, 'mean'],
          ],
        });
        const trimmed = await ok('?needed_overlap=100&granularity=60', {
          operations: `(aggregate mean (metric (${m1} mean) (${m2} mean)))`,
        });
        assert.equal((trimmed.measures as { aggregated: unknown[] }).aggregated.length, 3);
      } finally {
        await api.storage.deleteMetric(m2);
        await store(api, m2, zip(M2_VALUES));
      }
    });
  });

  describe('refusals', () => {
    it('locates faults in the operations as voluptuous does', async () => {
      const cases: [unknown, string, string[]][] = [
        [
          [],
          "Operation must not be empty for dictionary value @ data['operations']",
          ['operations'],
        ],
        [
          3,
          "Expected a tuple/list, got a <class 'int'> for dictionary value @ data['operations']",
          ['operations'],
        ],
        [
          ['metric'],
          "Operation need at least one argument for dictionary value @ data['operations']",
          ['operations'],
        ],
        [['metric', 'a'], "None @ data['operations'][0]", ['operations', '0']],
        [['metric', ['a', 1]], "expected str @ data['operations'][0]", ['operations', '0']],
        [
          ['notexist', ['metric', m1, 'mean']],
          "'notexist' operation invalid for dictionary value @ data['operations']",
          ['operations'],
        ],
        [
          ['rolling', 'mean', 0, ['metric', m1, 'mean']],
          "'rolling' operation invalid for dictionary value @ data['operations']",
          ['operations'],
        ],
        [
          ['resample', 'var', 60, ['metric', m1, 'mean']],
          "'resample' operation invalid for dictionary value @ data['operations']",
          ['operations'],
        ],
      ];
      for (const [operations, reason, detail] of cases) {
        assert.deepEqual(
          await refused('', { operations }, 400),
          { cause: 'Invalid input', reason, detail },
          JSON.stringify(operations),
        );
      }
    });

    it('explains an operations string that does not parse', async () => {
      assert.deepEqual(await refused('', { operations: '(metric a mean' }, 400), {
        cause: 'Invalid operations',
        reason: 'Fail to parse the operations string',
        detail: "Expected ')', found end of text  (at char 14), (line:1, col:15)",
      });
    });

    it('needs operations with a metric, and only known keys', async () => {
      assert.deepEqual(await refused('', {}, 400), {
        cause: 'Invalid input',
        reason: "required key not provided @ data['operations']",
        detail: ['operations'],
      });
      assert.deepEqual(await refused('', { operations: ['+', 1, 2] }, 400), {
        cause: 'Operations is invalid',
        reason: "At least one 'metric' is required",
        detail: ['add', 1, 2],
      });
      const extra = (await refused('', { operations: ['metric', m1, 'mean'], foo: 1 }, 400)) as {
        reason: string;
      };
      assert.equal(extra.reason, "extra keys not allowed @ data['foo']");
    });

    it('refuses bad references and unknown metrics', async () => {
      assert.deepEqual(await refused('', { operations: ['metric', 'cpu', 'mean'] }, 400), {
        cause: 'Invalid metric references',
        reason: 'badly formed hexadecimal UUID string',
        detail: [['cpu', 'mean']],
      });
      assert.deepEqual(
        await refused('', { operations: ['metric', [m1, 'mean'], [MISSING, 'mean']] }, 404),
        {
          cause: 'Unknown metrics',
          reason: "Provided metrics don't exists",
          detail: [MISSING],
        },
      );
    });

    it('refuses granularities and methods the policies lack', async () => {
      assert.deepEqual(
        await refused('', { operations: ['metric', [m1, 'mean'], [m3, 'mean']] }, 400),
        {
          cause: 'Metrics cannot be aggregated',
          reason: 'No granularity match',
          detail: [
            [m1, 'mean'],
            [m3, 'mean'],
          ],
        },
      );
      assert.deepEqual(
        await refused(
          '?granularity=5',
          { operations: ['metric', [m1, 'mean'], [m3, 'mean']] },
          400,
        ),
        {
          cause: 'Metrics cannot be aggregated',
          reason: 'Granularities are missing',
          detail: [[m1, 'mean', 5]],
        },
      );
      assert.deepEqual(await refused('', { operations: ['metric', m1, 'median'] }, 404), {
        cause: 'Metrics with unknown aggregation',
        detail: [[m1, 'median']],
      });
    });

    it('names the query argument at fault', async () => {
      const operations = ['metric', m1, 'mean'];
      for (const [query, detail, reason] of [
        ['?start=foo', 'start', 'Must be a datetime or a timestamp'],
        ['?stop=foo', 'stop', 'Must be a datetime or a timestamp'],
        ['?needed_overlap=foo', 'needed_overlap', 'Must be a number'],
        ['?granularity=foo', 'granularity', 'Unable to parse timespan'],
        [
          '?fill=foo',
          'fill',
          "Must be a float, 'dropna', 'null', 'ffill', 'bfill', 'full_ffill' or 'full_bfill'",
        ],
      ] as const) {
        assert.deepEqual(await refused(query, { operations }, 400), {
          cause: 'Argument value error',
          detail,
          reason,
        });
      }
    });

    it('checks the caller may read every metric', async () => {
      const response = await post(
        '',
        { operations: ['metric', [m1, 'mean'], [m2, 'mean']] },
        FOOBAZ,
      );
      assert.equal(response.status, 403, response.text);
    });

    it('answers a metric with no aggregates yet with nothing', async () => {
      assert.deepEqual(await ok('', { operations: ['metric', empty, 'mean'] }), {
        measures: { [empty]: { mean: [] } },
      });
    });
  });
});

describe('refresh=true on the cross-metric endpoints', () => {
  let api: TestApi;
  let m1: string;
  let m2: string;
  const refreshed: string[] = [];
  let locked = '';

  before(async () => {
    api = await startApi({
      refresh: (metricId) => {
        refreshed.push(metricId);
        return Promise.resolve(metricId !== locked);
      },
    });
    await createTestPolicies(api);
    m1 = await createMetric(api, 'cookies');
    m2 = await createMetric(api, 'cookies');
  });
  after(() => api.close());

  it('processes each referenced metric once before reading', async () => {
    refreshed.length = 0;
    const operations = ['metric', [m1, 'mean'], [m2, 'max'], [m1, 'max']];
    const response = await send(api, {
      method: 'POST',
      url: '/v1/aggregates?refresh=true',
      body: { operations },
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(refreshed, [m1, m2]);
    const legacy = await send(api, {
      method: 'GET',
      url: `/v1/aggregation/metric?metric=${m2}&metric=${m1}&refresh=true`,
    });
    assert.equal(legacy.status, 400, legacy.text);
    assert.deepEqual(refreshed, [m1, m2, m2, m1]);
  });

  it('answers 503 when a metric stays locked', async () => {
    locked = m2;
    const response = await send(api, {
      method: 'POST',
      url: '/v1/aggregates?refresh=true',
      body: { operations: ['metric', [m1, 'mean'], [m2, 'mean']] },
    });
    assert.equal(response.status, 503, response.text);
    assert.match(response.text, new RegExp(`Unable to refresh metric: ${m2}`));
  });
});
