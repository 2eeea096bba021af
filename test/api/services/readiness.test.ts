/**
 * Readiness: each backend called once, a failing or silent one named with what went wrong, and
 * `/ready` answering 200 or 503 with the states (`/healthcheck` staying liveness).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkReadiness } from '../../../src/api/services/readiness.ts';
import { send } from '../cases.ts';
import { startApi } from '../harness.ts';

const ok = () => Promise.resolve(undefined);

describe('checkReadiness', () => {
  it('is ready when every backend answers', async () => {
    const readiness = await checkReadiness(
      {
        indexer: { getArchivePolicy: ok },
        incoming: { driver: { getSackCount: ok } },
        storage: { probe: ok },
      },
      1000,
    );
    assert.deepEqual(readiness, {
      ready: true,
      backends: { indexer: 'ok', incoming: 'ok', storage: 'ok' },
    });
  });

  it('names a failing backend and one that does not answer in time', async () => {
    const readiness = await checkReadiness(
      {
        indexer: { getArchivePolicy: ok },
        incoming: {
          driver: { getSackCount: () => Promise.reject(new Error('Redis is unreachable')) },
        },
        storage: { probe: () => new Promise<void>(() => undefined) },
      },
      50,
    );
    assert.deepEqual(readiness, {
      ready: false,
      backends: {
        indexer: 'ok',
        incoming: 'failing: Redis is unreachable',
        storage: 'no answer within 50 ms',
      },
    });
  });
});

describe('GET /ready', () => {
  it('answers 200 with every backend ok, then 503 naming the indexer once it fails', async () => {
    const api = await startApi();
    try {
      const request = { method: 'GET' as const, url: '/ready', headers: { authorization: null } };
      const ready = await send(api, request);
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(ready.json(), { indexer: 'ok', incoming: 'ok', storage: 'ok' });
      await api.indexer.close();
      const failing = await send(api, request);
      assert.equal(failing.status, 503);
      const backends = failing.json() as Record<string, string>;
      assert.match(backends.indexer ?? '', /^failing: /);
      assert.equal(backends.storage, 'ok');
      assert.equal((await send(api, { ...request, url: '/healthcheck' })).status, 200);
    } finally {
      await api.close();
    }
  });
});
