/**
 * `GET /v1/metric/{id}/measures` on real storage: aggregates are written with the storage service
 * (as metricd would), then read back through HTTP with every argument and every refusal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ARCHIVE_POLICY_CACHE_TTL_MS } from '../../src/api/services/archive-policy-cache.ts';
import type { ArchivePolicy } from '../../src/archive-policy/index.ts';
import { sortMeasures } from '../../src/carbonara/index.ts';
import { Chef } from '../../src/chef/index.ts';
import { FileMetricLocks } from '../../src/lock/index.ts';
import { assertErrorBody, send, type CaseResponse } from './cases.ts';
import { ADMIN, FOOBAR, FOOBAZ, startApi, type StartApiOptions, type TestApi } from './harness.ts';

const S = 1_000_000;
const JSON_BODY = { 'content-type': 'application/json' };
const MISSING = '0b1cb5e0-4a3c-4b68-9a8d-6c3f0a7c2f11';

/** Microseconds of a UTC time written without its zone. */
const at = (iso: string): number => Date.parse(`${iso}Z`) * 1000;

/** Points of the `main` metric: 60 s and 1 h means are exact in binary. */
const MAIN_MEASURES: [string, number][] = [
  ['2015-03-06T14:33:57', 43.5],
  ['2015-03-06T14:34:12', 12],
  ['2015-03-06T14:34:15', 17],
  ['2015-03-06T14:37:00', 4],
  ['2015-03-06T15:10:00', 8],
];

const MAIN_HOURS = [
  '["2015-03-06T14:00:00+00:00",3600.0,19.125]',
  '["2015-03-06T15:00:00+00:00",3600.0,8.0]',
];
const MAIN_MINUTES = [
  '["2015-03-06T14:33:00+00:00",60.0,43.5]',
  '["2015-03-06T14:34:00+00:00",60.0,14.5]',
  '["2015-03-06T14:37:00+00:00",60.0,4.0]',
  '["2015-03-06T15:10:00+00:00",60.0,8.0]',
];

const list = (...rows: string[]): string => `[${rows.join(',')}]`;

/** An API with policies `p` (1 min for a day, 1 h for 30 days) and `fine` (0.5 s). */
async function startMeasuresApi(options: StartApiOptions = {}): Promise<TestApi> {
  const api = await startApi(options);
  for (const payload of [
    {
      name: 'p',
      aggregation_methods: ['mean', 'max', 'count', 'rate:mean'],
      definition: [
        { granularity: 60, points: 1440 },
        { granularity: 3600, points: 720 },
      ],
    },
    { name: 'fine', aggregation_methods: ['mean'], definition: [{ granularity: 0.5, points: 60 }] },
  ]) {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: ADMIN, ...JSON_BODY },
      payload,
    });
    assert.equal(response.statusCode, 201, response.body);
  }
  return api;
}

async function createMetric(api: TestApi, policy: string, authorization = FOOBAR) {
  const response = await api.app.inject({
    method: 'POST',
    url: '/v1/metric',
    headers: { authorization, ...JSON_BODY },
    payload: { archive_policy_name: policy },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ id: string }>().id;
}

/** Folds measures into a metric's aggregates, as metricd does. */
async function store(api: TestApi, metricId: string, measures: [string | number, number][]) {
  const metric = await api.indexer.getMetric(metricId);
  assert.ok(metric);
  const policy = (await api.indexer.getArchivePolicy(metric.archivePolicyName)) as ArchivePolicy;
  const timestamps = measures.map(([ts]) => (typeof ts === 'number' ? ts : at(ts)));
  const values = measures.map(([, value]) => value);
  await api.storage.foldMeasures({
    metricId,
    policy,
    measures: sortMeasures(Float64Array.from(timestamps), Float64Array.from(values)),
  });
}

describe('GET /v1/metric/{id}/measures', () => {
  let api: TestApi;
  let main: string;
  let special: string;
  let fine: string;
  let unprocessed: string;

  before(async () => {
    api = await startMeasuresApi();
    main = await createMetric(api, 'p');
    special = await createMetric(api, 'p');
    fine = await createMetric(api, 'fine');
    unprocessed = await createMetric(api, 'p');
    await store(api, main, MAIN_MEASURES);
    await store(api, special, [
      ['2015-03-06T14:00:00', 1e16],
      ['2015-03-06T14:01:00', NaN],
      ['2015-03-06T14:02:00', -Infinity],
      ['2015-03-06T14:03:00', 1.5e-5],
    ]);
    await store(api, fine, [
      ['2015-03-06T14:33:57.250', 1],
      ['2015-03-06T14:33:57.750', 2],
      ['2015-03-06T14:33:58', 3],
    ]);
  });
  after(() => api.close());

  const get = (url: string, authorization: string | null = FOOBAR): Promise<CaseResponse> =>
    send(api, { method: 'GET', url, headers: { authorization, 'content-type': null } });
  const read = async (id: string, query = ''): Promise<string> => {
    const response = await get(`/v1/metric/${id}/measures${query}`);
    assert.equal(response.status, 200, response.text);
    return response.text;
  };

  describe('the reply', () => {
    it('lists every granularity, coarsest first, each in ascending time', async () => {
      const response = await get(`/v1/metric/${main}/measures`);
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(response.text, list(...MAIN_HOURS, ...MAIN_MINUTES));
    });

    it('renders NaN, infinities and large and small floats as Python does', async () => {
      assert.equal(
        await read(special, '?granularity=60'),
        list(
          '["2015-03-06T14:00:00+00:00",60.0,1e+16]',
          '["2015-03-06T14:01:00+00:00",60.0,NaN]',
          '["2015-03-06T14:02:00+00:00",60.0,-Infinity]',
          '["2015-03-06T14:03:00+00:00",60.0,1.5e-05]',
        ),
      );
    });

    it('renders sub-second timestamps with microseconds and granularities as float seconds', async () => {
      assert.equal(
        await read(fine),
        list(
          '["2015-03-06T14:33:57+00:00",0.5,1.0]',
          '["2015-03-06T14:33:57.500000+00:00",0.5,2.0]',
          '["2015-03-06T14:33:58+00:00",0.5,3.0]',
        ),
      );
    });

    it('answers [] for a metric never processed, whatever the arguments', async () => {
      assert.equal(await read(unprocessed), '[]');
      assert.equal(await read(unprocessed, '?granularity=60&start=0&stop=600&fill=0'), '[]');
    });

    it('lets the creator and admins read, and ignores unknown arguments', async () => {
      assert.equal(await read(main, '?granularity=3600&foo=bar&details=true'), list(...MAIN_HOURS));
      const response = await get(`/v1/metric/${main}/measures?granularity=3600`, ADMIN);
      assert.equal(response.text, list(...MAIN_HOURS));
    });
  });

  describe('arguments', () => {
    it('reads one granularity, in any timespan spelling', async () => {
      assert.equal(await read(main, '?granularity=60'), list(...MAIN_MINUTES));
      assert.equal(await read(main, '?granularity=1%20minute'), list(...MAIN_MINUTES));
      assert.equal(await read(main, '?granularity=1h'), list(...MAIN_HOURS));
    });

    it('reads another aggregation method', async () => {
      assert.equal(
        await read(main, '?aggregation=max&granularity=3600'),
        list(
          '["2015-03-06T14:00:00+00:00",3600.0,43.5]',
          '["2015-03-06T15:00:00+00:00",3600.0,8.0]',
        ),
      );
      assert.equal(
        await read(main, '?aggregation=count&granularity=3600'),
        list(
          '["2015-03-06T14:00:00+00:00",3600.0,4.0]',
          '["2015-03-06T15:00:00+00:00",3600.0,1.0]',
        ),
      );
    });

    it('floors start to the granularity and keeps stop exclusive', async () => {
      assert.equal(
        await read(main, '?granularity=60&start=2015-03-06T14:34:30&stop=2015-03-06T14:37:00'),
        list(MAIN_MINUTES[1] as string),
      );
      assert.equal(
        await read(main, '?start=2015-03-06T14:40:00'),
        list(...MAIN_HOURS, MAIN_MINUTES[3] as string),
      );
    });

    it('reads start and stop as epoch seconds and ISO dates with offsets', async () => {
      const start = String(at('2015-03-06T14:37:00') / S);
      assert.equal(
        await read(main, `?granularity=60&start=${start}&stop=2015-03-06T16:10:00%2B01:00`),
        list(MAIN_MINUTES[2] as string),
      );
    });

    it('resamples the stored aggregates with the same method', async () => {
      assert.equal(
        await read(main, '?granularity=60&resample=600'),
        list(
          '["2015-03-06T14:30:00+00:00",600.0,20.666666666666668]',
          '["2015-03-06T15:10:00+00:00",600.0,8.0]',
        ),
      );
      assert.equal(
        await read(main, '?granularity=60&resample=10min&aggregation=count'),
        list('["2015-03-06T14:30:00+00:00",600.0,3.0]', '["2015-03-06T15:10:00+00:00",600.0,1.0]'),
      );
    });

    it('resamples to calendar periods, named by their letter', async () => {
      assert.equal(
        await read(main, '?granularity=3600&resample=M'),
        list('["2015-03-01T00:00:00+00:00","M",13.5625]'),
      );
      assert.equal(
        await read(main, '?granularity=60&resample=W'),
        list('["2015-03-01T00:00:00+00:00","W",17.5]'),
      );
    });

    it('combines a calendar resample with start and stop, from the start of its period', async () => {
      assert.equal(
        await read(main, '?granularity=3600&resample=M&start=2015-03-06T15:00:00'),
        list('["2015-03-01T00:00:00+00:00","M",13.5625]'),
      );
      assert.equal(
        await read(main, '?granularity=3600&resample=Y&start=2015-06-01&stop=2016-01-01'),
        list('["2015-01-01T00:00:00+00:00","Y",13.5625]'),
      );
      assert.equal(
        await read(main, '?granularity=3600&resample=Y&start=2014-06-01&stop=2015-01-01'),
        '[]',
      );
    });

    it('treats refresh=true as a plain read where the API cannot process', async () => {
      assert.equal(await read(main, '?granularity=3600&refresh=true'), list(...MAIN_HOURS));
      assert.equal(await read(main, '?granularity=3600&refresh=0'), list(...MAIN_HOURS));
    });
  });

  describe('fill (an Orzo extension)', () => {
    it('fills missing buckets between the first and last points with a number', async () => {
      const body = JSON.parse(await read(main, '?granularity=60&fill=0')) as unknown[][];
      assert.equal(body.length, 38);
      assert.deepEqual(body.slice(0, 5), [
        ['2015-03-06T14:33:00+00:00', 60, 43.5],
        ['2015-03-06T14:34:00+00:00', 60, 14.5],
        ['2015-03-06T14:35:00+00:00', 60, 0],
        ['2015-03-06T14:36:00+00:00', 60, 0],
        ['2015-03-06T14:37:00+00:00', 60, 4],
      ]);
      assert.deepEqual(body.at(-1), ['2015-03-06T15:10:00+00:00', 60, 8]);
    });

    it('fills with null from the bucket of start to the last one before stop', async () => {
      assert.equal(
        await read(
          main,
          '?granularity=60&fill=null&start=2015-03-06T14:31:30&stop=2015-03-06T14:36:00',
        ),
        list(
          '["2015-03-06T14:31:00+00:00",60.0,null]',
          '["2015-03-06T14:32:00+00:00",60.0,null]',
          MAIN_MINUTES[0] as string,
          MAIN_MINUTES[1] as string,
          '["2015-03-06T14:35:00+00:00",60.0,null]',
        ),
      );
    });

    it('fills every granularity of the reply, each at its own step', async () => {
      const body = JSON.parse(
        await read(main, '?fill=-1&start=2015-03-06T13:00:00&stop=2015-03-06T15:12:00'),
      ) as [string, number, number][];
      const hours = body.filter(([, granularity]) => granularity === 3600);
      assert.deepEqual(hours, [
        ['2015-03-06T13:00:00+00:00', 3600, -1],
        ['2015-03-06T14:00:00+00:00', 3600, 19.125],
        ['2015-03-06T15:00:00+00:00', 3600, 8],
      ]);
      assert.equal(body.length - hours.length, 132);
    });

    it('steps by calendar periods after a calendar resample', async () => {
      assert.equal(
        await read(main, '?granularity=3600&resample=M&fill=0&start=2015-01-15&stop=2015-05-01'),
        list(
          '["2015-01-01T00:00:00+00:00","M",0.0]',
          '["2015-02-01T00:00:00+00:00","M",0.0]',
          '["2015-03-01T00:00:00+00:00","M",13.5625]',
          '["2015-04-01T00:00:00+00:00","M",0.0]',
        ),
      );
    });

    it('drops NaN points with dropna', async () => {
      assert.equal(
        await read(special, '?granularity=60&fill=dropna'),
        list(
          '["2015-03-06T14:00:00+00:00",60.0,1e+16]',
          '["2015-03-06T14:02:00+00:00",60.0,-Infinity]',
          '["2015-03-06T14:03:00+00:00",60.0,1.5e-05]',
        ),
      );
    });
  });

  describe('refusals', () => {
    const cases: {
      name: string;
      url: (main: string) => string;
      authorization?: string | null;
      status: number;
      /** The description, or a function of the metric id giving it. */
      description: unknown;
    }[] = [
      {
        name: 'an unknown metric',
        url: () => `/v1/metric/${MISSING}/measures`,
        status: 404,
        description: `Metric ${MISSING} does not exist`,
      },
      {
        name: 'an id that is not a UUID',
        url: () => '/v1/metric/foobar/measures',
        status: 404,
        description: 'Metric foobar does not exist',
      },
      {
        name: 'a user who is not the creator',
        url: (main) => `/v1/metric/${main}/measures`,
        authorization: FOOBAZ,
        status: 403,
        description: 'Access was denied to this resource.',
      },
      {
        name: 'an anonymous caller',
        url: (main) => `/v1/metric/${main}/measures`,
        authorization: null,
        status: 401,
        description: 'Authentication required',
      },
      {
        name: 'an aggregation method the policy lacks',
        url: (main) => `/v1/metric/${main}/measures?aggregation=last`,
        status: 404,
        description: (main: string) => ({
          cause: 'Aggregation method does not exist for this metric',
          detail: { metric: main, aggregation_method: 'last' },
        }),
      },
      {
        name: 'a granularity the policy lacks',
        url: (main) => `/v1/metric/${main}/measures?granularity=42`,
        status: 404,
        description: (main: string) =>
          `Aggregation method 'mean' at granularity '42.0' for metric ${main} does not exist`,
      },
      {
        name: 'an unparsable granularity',
        url: (main) => `/v1/metric/${main}/measures?granularity=foobar`,
        status: 400,
        description: {
          cause: 'Argument value error',
          detail: 'granularity',
          reason: 'Unable to parse timespan',
        },
      },
      {
        name: 'a granularity that is not positive',
        url: (main) => `/v1/metric/${main}/measures?granularity=-60`,
        status: 400,
        description: {
          cause: 'Argument value error',
          detail: 'granularity',
          reason: 'Timespan must be positive',
        },
      },
      {
        name: 'an unreadable start',
        url: (main) => `/v1/metric/${main}/measures?start=foobar`,
        status: 400,
        description: {
          cause: 'Argument value error',
          detail: 'start',
          reason: 'Must be a datetime or a timestamp',
        },
      },
      {
        name: 'a stop before the epoch',
        url: (main) => `/v1/metric/${main}/measures?stop=1969-07-21`,
        status: 400,
        description: {
          cause: 'Argument value error',
          detail: 'stop',
          reason: 'Must be a datetime or a timestamp',
        },
      },
      {
        name: 'a resample without granularity',
        url: (main) => `/v1/metric/${main}/measures?resample=M`,
        status: 400,
        description: 'A granularity must be specified to resample',
      },
      {
        name: 'an unparsable resample, before a bad start',
        url: (main) => `/v1/metric/${main}/measures?granularity=60&resample=month&start=x`,
        status: 400,
        description: 'Unable to parse timespan',
      },
      {
        name: 'a rate resampled to calendar periods',
        url: (main) =>
          `/v1/metric/${main}/measures?aggregation=rate:mean&granularity=60&resample=M`,
        status: 400,
        description:
          "Aggregation method 'rate:mean' cannot be resampled to the calendar period 'M'",
      },
      {
        name: 'an unreadable refresh',
        url: (main) => `/v1/metric/${main}/measures?refresh=maybe`,
        status: 400,
        description: {
          cause: 'Argument value error',
          reason: "Unable to parse `refresh': invalid truth value 'maybe'",
        },
      },
      {
        name: 'an unknown aggregation method before an unreadable refresh',
        url: (main) => `/v1/metric/${main}/measures?aggregation=nope&refresh=maybe`,
        status: 404,
        description: (main: string) => ({
          cause: 'Aggregation method does not exist for this metric',
          detail: { metric: main, aggregation_method: 'nope' },
        }),
      },
      {
        name: 'an unreadable fill',
        url: (main) => `/v1/metric/${main}/measures?fill=zero`,
        status: 400,
        description: {
          cause: 'Argument value error',
          detail: 'fill',
          reason: "Must be a float, 'dropna' or 'null'",
        },
      },
      {
        name: 'a fill of more than 100,000 points',
        url: (main) => `/v1/metric/${main}/measures?granularity=60&fill=0&start=2014-01-01`,
        status: 400,
        description: {
          cause: 'Argument value error',
          detail: 'fill',
          reason:
            'Filling would add more than 100000 points at granularity 60.0; narrow start and stop',
        },
      },
    ];

    for (const testCase of cases) {
      it(`answers ${testCase.status} to ${testCase.name}`, async () => {
        const authorization =
          testCase.authorization === undefined ? FOOBAR : testCase.authorization;
        const response = await get(testCase.url(main), authorization);
        assert.equal(response.status, testCase.status, response.text);
        const expected =
          typeof testCase.description === 'function'
            ? (testCase.description as (main: string) => unknown)(main)
            : testCase.description;
        assert.deepEqual(assertErrorBody(response).description, expected);
      });
    }
  });
});

describe('GET /v1/metric/{id}/measures?refresh=true with processing on demand', () => {
  let api: TestApi;
  let metric: string;
  const calls: [string, number][] = [];
  const lockDir = mkdtempSync(join(tmpdir(), 'orzo-refresh-locks-'));
  const locks = new FileMetricLocks({ basePath: lockDir });

  before(async () => {
    const ref: { chef?: Chef } = {};
    api = await startMeasuresApi({
      api: { operationTimeoutSeconds: 0.3 },
      // NOTE: the real pipeline, recording how the route calls it.
      refresh: (metricId, timeoutMs) => {
        calls.push([metricId, timeoutMs]);
        assert.ok(ref.chef);
        return ref.chef.refreshMetric(metricId, timeoutMs);
      },
    });
    ref.chef = new Chef({
      indexer: api.indexer,
      incoming: api.incoming,
      storage: api.storage,
      locks,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      concurrency: 16,
    });
    metric = await createMetric(api, 'p');
    const posted = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${metric}/measures`,
      headers: { authorization: FOOBAR, ...JSON_BODY },
      payload: [
        { timestamp: '2015-03-06T14:33:57', value: 43.5 },
        { timestamp: '2015-03-06T14:34:12', value: 12 },
      ],
    });
    assert.equal(posted.statusCode, 202);
  });
  after(async () => {
    await api.close();
    rmSync(lockDir, { recursive: true, force: true });
  });

  const get = (query: string) =>
    send(api, {
      method: 'GET',
      url: `/v1/metric/${metric}/measures${query}`,
      headers: { 'content-type': null },
    });

  it('reads what is stored without refresh, and does not process', async () => {
    const response = await get('?granularity=60');
    assert.equal(response.text, '[]');
    assert.deepEqual(calls, []);
  });

  it('does not process when the read is refused', async () => {
    assert.equal((await get('?granularity=42&refresh=true')).status, 404);
    assert.deepEqual(calls, []);
  });

  it('processes pending measures first, waiting the operation timeout for the lock', async () => {
    const response = await get('?granularity=60&refresh=true');
    assert.equal(
      response.text,
      list('["2015-03-06T14:33:00+00:00",60.0,43.5]', '["2015-03-06T14:34:00+00:00",60.0,12.0]'),
    );
    assert.deepEqual(calls, [[metric, 300]]);
    assert.equal((await api.incoming.readPending(metric)).handles.length, 0);
  });

  it('answers 503 when the metric stays locked, and leaves its measures waiting', async () => {
    const posted = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${metric}/measures`,
      headers: { authorization: FOOBAR, ...JSON_BODY },
      payload: [{ timestamp: '2015-03-06T14:35:00', value: 1 }],
    });
    assert.equal(posted.statusCode, 202);
    const held = await locks.tryAcquire(metric);
    assert.ok(held);
    try {
      const response = await get('?refresh=yes');
      assert.equal(response.status, 503);
      assert.equal(
        assertErrorBody(response).description,
        `Unable to refresh metric: ${metric}. Metric is locked. Please try again.`,
      );
      assert.equal((await api.incoming.readPending(metric)).handles.length, 1);
    } finally {
      await held.release();
    }
  });
});

describe('GET /v1/metric/{id}/measures after a change of retention', () => {
  let api: TestApi;
  let clock = Date.parse('2026-11-21T10:00:00Z');

  before(async () => {
    api = await startApi({ now: () => new Date(clock) });
  });
  after(() => api.close());

  /** A policy of 1-minute points for a day and 1-hour points for 30 days, and a metric on it. */
  async function metricOnNewPolicy(name: string): Promise<string> {
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: ADMIN, ...JSON_BODY },
      payload: {
        name,
        aggregation_methods: ['mean'],
        definition: [
          { granularity: 60, points: 1440 },
          { granularity: 3600, points: 720 },
        ],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const metric = await createMetric(api, name);
    // NOTE: three hours of points, one a minute.
    const measures = Array.from({ length: 180 }, (_, i): [number, number] => [
      at('2015-03-06T12:00:00') + i * 60 * S,
      i,
    ]);
    await store(api, metric, measures);
    return metric;
  }

  const minutesRead = async (metric: string): Promise<number> => {
    const response = await send(api, {
      method: 'GET',
      url: `/v1/metric/${metric}/measures?granularity=60`,
      headers: { authorization: FOOBAR, 'content-type': null },
    });
    assert.equal(response.status, 200, response.text);
    return (JSON.parse(response.text) as unknown[]).length;
  };

  const HOUR_OF_MINUTES = [
    { granularity: 60, points: 60 },
    { granularity: 3600, points: 720 },
  ];

  it('reads with a retention changed through this API at once', async () => {
    const metric = await metricOnNewPolicy('patched');
    assert.equal(await minutesRead(metric), 180);
    const patched = await api.app.inject({
      method: 'PATCH',
      url: '/v1/archive_policy/patched',
      headers: { authorization: ADMIN, ...JSON_BODY },
      payload: { definition: HOUR_OF_MINUTES },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(await minutesRead(metric), 60);
  });

  it('reads with a retention changed by another process once the cache entry expires', async () => {
    const metric = await metricOnNewPolicy('elsewhere');
    assert.equal(await minutesRead(metric), 180);
    // NOTE: straight through the indexer, as another API process would change it.
    await api.indexer.updateArchivePolicy('elsewhere', (current) => ({
      ...current,
      definition: current.definition.map((item) =>
        item.granularity === 60 * S ? { ...item, points: 60, timespan: 3600 * S } : item,
      ),
    }));
    clock += ARCHIVE_POLICY_CACHE_TTL_MS - 1;
    assert.equal(await minutesRead(metric), 180);
    clock += 1;
    assert.equal(await minutesRead(metric), 60);
  });

  it('reads with a policy deleted and created again through this API at once', async () => {
    const first = await metricOnNewPolicy('renewed');
    assert.equal(await minutesRead(first), 180);
    const deleted = await send(api, {
      method: 'DELETE',
      url: `/v1/metric/${first}`,
      headers: { authorization: FOOBAR, 'content-type': null },
    });
    assert.equal(deleted.status, 204, deleted.text);
    await api.indexer.expungeMetric(first);
    for (const request of [
      { method: 'DELETE' as const, url: '/v1/archive_policy/renewed' },
      {
        method: 'POST' as const,
        url: '/v1/archive_policy',
        payload: {
          name: 'renewed',
          aggregation_methods: ['mean'],
          definition: [{ granularity: 300, points: 12 }],
        },
      },
    ]) {
      const response = await api.app.inject({
        ...request,
        headers: { authorization: ADMIN, ...JSON_BODY },
      });
      assert.ok(response.statusCode < 300, response.body);
    }
    const second = await createMetric(api, 'renewed');
    await store(api, second, [['2015-03-06T12:00:00', 4]]);
    const response = await send(api, {
      method: 'GET',
      url: `/v1/metric/${second}/measures?granularity=300`,
      headers: { authorization: FOOBAR, 'content-type': null },
    });
    assert.equal(response.text, list('["2015-03-06T12:00:00+00:00",300.0,4.0]'));
  });
});
