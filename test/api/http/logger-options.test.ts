/**
 * What the API logs: requests with their headers but never credentials, the client address behind
 * a trusted proxy, and server errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertErrorBody, send } from '../cases.ts';
import { startApi, type TestApi } from '../harness.ts';

describe('logging', () => {
  const lines: string[] = [];
  let api: TestApi;
  before(async () => {
    api = await startApi({
      api: { trustedProxies: ['127.0.0.1'] },
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    });
  });
  after(() => api.close());

  it('never writes credentials, and logs the client behind a trusted proxy', async () => {
    // NOTE: user secret-user, password hunter2.
    const authorization = 'Basic c2VjcmV0LXVzZXI6aHVudGVyMg==';
    await send(api, {
      method: 'GET',
      url: '/v1/archive_policy',
      headers: { authorization, 'x-forwarded-for': '192.0.2.7' },
    });
    const output = lines.join('');
    assert.ok(output.includes('"authorization":"[redacted]"'), output);
    assert.ok(!output.includes('c2VjcmV0LXVzZXI6aHVudGVyMg'));
    assert.ok(!output.includes('hunter2'));
    assert.ok(output.includes('"remoteAddress":"192.0.2.7"'));
  });

  it('writes one line per request, with its status and time', async () => {
    lines.length = 0;
    for (let i = 0; i < 3; i++) await send(api, { method: 'GET', url: '/v1/capabilities' });
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(logged.length, 3, lines.join(''));
    for (const line of logged) {
      assert.equal(line.msg, 'request completed');
      assert.deepEqual(line.res, { statusCode: 200 });
      assert.equal(typeof line.responseTime, 'number');
      assert.equal((line.req as { url: string }).url, '/v1/capabilities');
    }
  });

  it('answers a failure of the indexer with a logged 500 that reveals nothing', async () => {
    await api.indexer.close();
    lines.length = 0;
    const response = await send(api, { method: 'GET', url: '/v1/archive_policy' });
    assert.equal(response.status, 500);
    const body = assertErrorBody(response);
    assert.equal(body.title, 'Internal Server Error');
    assert.ok(!JSON.stringify(body).includes('destroyed'));
    assert.ok(lines.some((line) => line.includes('"level":50') && line.includes('request failed')));
  });
});
