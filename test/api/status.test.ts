/**
 * `GET /v1/status`: the backlog of the incoming store, for admins, in Gnocchi's shape, and the
 * health of the API's op tracker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ADMIN, FOOBAR, startApi, type TestApi } from './harness.ts';

describe('GET /v1/status', () => {
  let api: TestApi;
  let id: string;

  before(async () => {
    // NOTE: the op tracker's clock stands still, so that the ages in `ops` are known.
    api = await startApi({ opsNow: () => Date.UTC(2024, 4, 1) });
    const headers = { authorization: ADMIN, 'content-type': 'application/json' };
    await api.app.inject({
      method: 'POST',
      url: '/v1/archive_policy',
      headers,
      payload: { name: 'p', definition: [{ granularity: 1 }] },
    });
    const metric = await api.app.inject({
      method: 'POST',
      url: '/v1/metric',
      headers,
      payload: { archive_policy_name: 'p' },
    });
    id = metric.json<{ id: string }>().id;
    for (const values of [[1, 2, 3], [4]]) {
      await api.app.inject({
        method: 'POST',
        url: `/v1/metric/${id}/measures`,
        headers,
        payload: values.map((value, i) => ({ timestamp: 100 + i, value })),
      });
    }
  });
  after(() => api.close());

  const status = (query = '', authorization = ADMIN) =>
    api.app.inject({ method: 'GET', url: `/v1/status${query}`, headers: { authorization } });

  it('counts metrics and batches waiting, per metric by default; the status request is in flight', async () => {
    const response = await status();
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      storage: { summary: { metrics: 1, measures: 2 }, measures_to_process: { [id]: 2 } },
      metricd: { processors: null, statistics: {} },
      ops: {
        api: {
          enabled: true,
          inFlight: 1,
          slowOps: 0,
          oldestSlowAgeSeconds: null,
          oldestAgeSeconds: 0,
          complaintTimeSeconds: 30,
          untracked: 0,
        },
      },
    });
  });

  it('leaves out the per-metric figures with details=false', async () => {
    const body = (await status('?details=false')).json<{ storage: Record<string, unknown> }>();
    assert.deepEqual(body.storage, { summary: { metrics: 1, measures: 2 } });
  });

  it('refuses a details value that is no boolean', async () => {
    const response = await status('?details=maybe');
    assert.equal(response.statusCode, 400);
    assert.match(JSON.stringify(response.json()), /invalid truth value 'maybe'/);
  });

  it('is for admins only', async () => {
    assert.equal((await status('', FOOBAR)).statusCode, 403);
  });
});
