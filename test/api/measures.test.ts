/**
 * `POST /v1/metric/{id}/measures` and `POST /v1/batch/metrics/measures`: what is accepted is in
 * the incoming store when the 202 arrives, and nothing of a refused request is.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { ADMIN, FOOBAR, FOOBAZ, startApi, type TestApi } from './harness.ts';

const JSON_BODY = { 'content-type': 'application/json' };
const MISSING = '0b1cb5e0-4a3c-4b68-9a8d-6c3f0a7c2f11';
const S = 1_000_000;

describe('measures in', () => {
  let api: TestApi;
  let mine: string;
  let other: string;

  before(async () => {
    api = await startApi();
    await api.app.inject({
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: ADMIN, ...JSON_BODY },
      payload: { name: 'p', definition: [{ granularity: 1, points: 60 }] },
    });
    const create = async (authorization: string): Promise<string> => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/metric',
        headers: { authorization, ...JSON_BODY },
        payload: { archive_policy_name: 'p' },
      });
      return response.json<{ id: string }>().id;
    };
    mine = await create(FOOBAR);
    other = await create(FOOBAZ);
  });
  after(() => api.close());
  beforeEach(async () => {
    for (const id of [mine, other]) await api.incoming.discardPending(id);
  });

  const post = (id: string, payload: unknown, authorization = FOOBAR) =>
    api.app.inject({
      method: 'POST',
      url: `/v1/metric/${id}/measures`,
      headers: { authorization, ...JSON_BODY },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const batch = (payload: unknown, authorization = ADMIN) =>
    api.app.inject({
      method: 'POST',
      url: '/v1/batch/metrics/measures',
      headers: { authorization, ...JSON_BODY },
      payload: JSON.stringify(payload),
    });
  const pending = async (id: string) => {
    const { measures } = await api.incoming.readPending(id);
    return { timestamps: [...measures.timestamps], values: [...measures.values] };
  };

  it('stores a request for its metric and answers 202 with an empty body', async () => {
    const response = await post(mine, [
      { timestamp: '2015-03-06T14:33:57', value: 43.1 },
      { timestamp: '2015-03-06T14:34:12+01:00', value: '12' },
      { timestamp: '2015-03-06T14:35:00.5Z', value: 'NaN' },
    ]);
    assert.equal(response.statusCode, 202);
    assert.equal(response.body, '');
    assert.deepEqual(await pending(mine), {
      timestamps: [1425652437 * S, 1425648852 * S, 1425652500.5 * S],
      values: [43.1, 12, NaN],
    });
  });

  it('accepts an empty list and stores nothing', async () => {
    assert.equal((await post(mine, [])).statusCode, 202);
    assert.deepEqual(await pending(mine), { timestamps: [], values: [] });
  });

  const refused: { name: string; body: unknown; reason: string; detail: string[] }[] = [
    {
      name: 'an unparsable timestamp',
      body: [
        { timestamp: '2015-03-06T14:33:57', value: 1 },
        { timestamp: 'nope', value: 2 },
      ],
      reason: "unexpected timestamp 'Unable to convert timestamps'",
      detail: ['1'],
    },
    {
      name: 'timestamp formats mixed in one request',
      body: [
        { timestamp: '2015-03-06T14:33:57', value: 1 },
        { timestamp: 1425652500, value: 2 },
      ],
      reason: "unexpected timestamp 'Unable to convert timestamps'",
      detail: ['1'],
    },
    {
      name: 'a timestamp before the epoch',
      body: [{ timestamp: '1969-12-31T23:59:59', value: 1 }],
      reason: "unexpected timestamp 'Timestamp must be after Epoch'",
      detail: ['0'],
    },
    {
      name: 'a value that is no number',
      body: [
        { timestamp: 1, value: 1 },
        { timestamp: 2, value: 'ten' },
      ],
      reason: 'unexpected measures value',
      detail: ['1'],
    },
    {
      name: 'a value nested 5,000 levels deep',
      // NOTE: as text, since JSON.stringify itself cannot write it.
      body: `[{"timestamp": 1, "value": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}]`,
      reason: 'unexpected measures value',
      detail: ['0'],
    },
    {
      name: 'a body that is no list of measures',
      body: [['2015-03-06T14:33:57', 1]],
      reason: 'unexpected measures format',
      // NOTE: Gnocchi locates a body of the wrong shape no deeper than the body.
      detail: [],
    },
  ];
  for (const row of refused) {
    it(`refuses ${row.name} with a 400 naming the measure, storing nothing`, async () => {
      const response = await post(mine, row.body);
      assert.equal(response.statusCode, 400);
      const { description } = response.json<{ description: Record<string, unknown> }>();
      assert.equal(description.cause, 'Invalid input');
      assert.equal(description.reason, row.reason);
      assert.deepEqual(description.detail, row.detail);
      assert.deepEqual(await pending(mine), { timestamps: [], values: [] });
    });
  }

  it("answers 404 for an unknown metric and 403 for someone else's", async () => {
    const unknown = await post(MISSING, [{ timestamp: 1, value: 1 }]);
    assert.equal(unknown.statusCode, 404);
    assert.equal(
      unknown.json<{ description: string }>().description,
      `Metric ${MISSING} does not exist`,
    );
    assert.equal((await post(other, [{ timestamp: 1, value: 1 }])).statusCode, 403);
    assert.equal((await post(other, [{ timestamp: 1, value: 1 }], ADMIN)).statusCode, 202);
    const anonymous = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${mine}/measures`,
      headers: JSON_BODY,
      payload: '[]',
    });
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual((await pending(other)).values, [1]);
  });

  it('stores a batch for several metrics at once', async () => {
    const response = await batch({
      [mine]: [{ timestamp: 10, value: 1 }],
      [other.toUpperCase()]: [
        { timestamp: 20, value: 2 },
        { timestamp: 30, value: 3 },
      ],
    });
    assert.equal(response.statusCode, 202);
    assert.deepEqual(await pending(mine), { timestamps: [10 * S], values: [1] });
    assert.deepEqual(await pending(other), { timestamps: [20 * S, 30 * S], values: [2, 3] });
  });

  it('refuses a whole batch naming unknown metrics, listing them sorted', async () => {
    const unknown = ['ffffffff-0000-4000-8000-000000000000', MISSING];
    const response = await batch({
      [mine]: [{ timestamp: 10, value: 1 }],
      [unknown[1]!]: [{ timestamp: 10, value: 1 }],
      [unknown[0]!]: [{ timestamp: 10, value: 1 }],
    });
    assert.equal(response.statusCode, 400);
    assert.equal(
      response.json<{ description: string }>().description,
      `Unknown metrics: ${[...unknown].sort().join(', ')}`,
    );
    assert.deepEqual(await pending(mine), { timestamps: [], values: [] });
  });

  it('refuses a whole batch with one bad measure, naming the metric and the measure', async () => {
    const response = await batch({
      [mine]: [{ timestamp: 10, value: 1 }],
      [other]: [
        { timestamp: 10, value: 1 },
        { timestamp: 11, value: {} },
      ],
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json<{ description: { detail: unknown } }>().description.detail, [
      other,
      '1',
    ]);
    assert.deepEqual(await pending(mine), { timestamps: [], values: [] });
  });

  it("refuses a batch touching someone else's metric, storing nothing", async () => {
    const response = await batch(
      { [mine]: [{ timestamp: 10, value: 1 }], [other]: [{ timestamp: 10, value: 1 }] },
      FOOBAR,
    );
    assert.equal(response.statusCode, 403);
    assert.deepEqual(await pending(mine), { timestamps: [], values: [] });
  });
});

describe('measures in, with a small body limit', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi({ api: { bodyLimitBytes: 1024 } });
  });
  after(() => api.close());

  it('answers a clear JSON 413 beyond it', async () => {
    const measures = Array.from({ length: 100 }, (_unused, i) => ({ timestamp: i, value: i }));
    const response = await api.app.inject({
      method: 'POST',
      url: `/v1/metric/${MISSING}/measures`,
      headers: { authorization: ADMIN, ...JSON_BODY },
      payload: JSON.stringify(measures),
    });
    assert.equal(response.statusCode, 413);
    assert.match(
      response.json<{ description: string }>().description,
      /larger than the limit of 1024 bytes/,
    );
  });
});
