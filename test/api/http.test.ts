/**
 * HTTP behaviour across resources: content negotiation, bodies, errors, methods, limits, CORS and
 * reverse proxies, as Gnocchi clients meet them. Authentication is in `auth.test.ts`, logging in
 * `logger-options.test.ts`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { assertErrorBody, description, header, json, runCases, send } from './cases.ts';
import { ADMIN, startApi, type TestApi } from './harness.ts';

const POLICY = { name: 'p', definition: [{ granularity: 60 }] };
const AS_ADMIN = { authorization: ADMIN };

runCases('content negotiation and bodies', [
  {
    name: 'tolerates the doubled slash gnocchiclient sends (/v1/archive_policy//<name>)',
    method: 'GET',
    url: '/v1/archive_policy//nope',
    status: 404,
    expect: description('Archive policy nope does not exist'),
  },
  {
    name: 'tolerates a trailing slash',
    method: 'GET',
    url: '/v1/archive_policy/',
    status: 200,
  },
  {
    name: 'lists as JSON with no Accept',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: null },
    status: 200,
  },
  {
    name: 'accepts */*',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: '*/*' },
    status: 200,
  },
  {
    name: 'accepts application/*',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: 'application/*' },
    status: 200,
  },
  {
    name: 'accepts JSON of a lower quality',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: 'text/plain, application/json; q=0.8' },
    status: 200,
  },
  {
    name: 'refuses JSON of quality 0 with a JSON 406',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: 'application/json;q=0, text/plain' },
    status: 406,
    expect: json({ code: 406, title: 'Not Acceptable', description: null }),
  },
  {
    name: 'refuses text/*',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: 'text/*' },
    status: 406,
  },
  {
    name: 'takes an unreadable Accept as none',
    method: 'GET',
    url: '/v1/metric',
    headers: { accept: 'garbage' },
    status: 200,
  },
  {
    name: 'ignores the charset of a JSON body',
    method: 'POST',
    url: '/v1/archive_policy',
    headers: { ...AS_ADMIN, 'content-type': 'Application/JSON; charset=utf-8' },
    body: POLICY,
    status: 201,
  },
  {
    name: 'refuses a body without content type',
    method: 'POST',
    url: '/v1/metric',
    headers: { 'content-type': null },
    body: { archive_policy_name: 'p' },
    status: 415,
    expect: json({
      code: 415,
      title: 'Unsupported Media Type',
      description: 'The request media type None is not supported by this server.',
    }),
  },
  {
    name: 'refuses a body that is not JSON',
    method: 'POST',
    url: '/v1/metric',
    body: '{"archive_policy_name": ',
    status: 400,
    expect: description({ cause: 'Unable to decode body', detail: [] }),
  },
  {
    name: 'refuses an empty body as Gnocchi words it',
    method: 'POST',
    url: '/v1/metric',
    body: '',
    status: 400,
    expect: description({ cause: 'Unable to decode body', reason: 'Expected object or value' }),
  },
  {
    name: 'refuses a JSON body that is not an object',
    method: 'POST',
    url: '/v1/metric',
    body: '[1, 2]',
    status: 400,
    expect: description({ cause: 'Invalid input', reason: 'expected a dictionary', detail: [] }),
  },
  {
    name: 'reads a body sent with DELETE no more than Gnocchi',
    method: 'DELETE',
    url: '/v1/archive_policy/p',
    headers: { ...AS_ADMIN, 'content-type': 'text/plain' },
    body: 'ignored',
    status: 204,
  },
  {
    name: 'answers an unknown path with a JSON 404',
    method: 'GET',
    url: '/v2/nothing',
    headers: { accept: 'text/plain' },
    status: 404,
    expect: json({ code: 404, title: 'Not Found' }),
  },
  {
    name: 'answers an unknown method with 405 and Allow',
    method: 'PUT',
    url: '/v1/metric',
    status: 405,
    expect: [header('allow', 'GET, POST'), json({ code: 405, title: 'Method Not Allowed' })],
  },
  { name: 'answers HEAD with 405', method: 'HEAD', url: '/v1/metric', status: 405 },
  {
    name: 'answers 405 on an object path',
    method: 'POST',
    url: '/v1/metric/4b2d8a0e-2b7f-4d3c-9a63-8f2a1b1d2e3f',
    status: 405,
    expect: header('allow', 'DELETE, GET'),
  },
  {
    name: 'takes a trailing slash on a collection',
    method: 'GET',
    url: '/v1/archive_policy/',
    status: 200,
  },
  {
    name: 'finds a long name of multi-byte characters',
    method: 'GET',
    url: `/v1/archive_policy/${encodeURIComponent('✔'.repeat(255))}`,
    status: 404,
    expect: description(`Archive policy ${'✔'.repeat(255)} does not exist`),
  },
  {
    name: 'refuses a malformed percent-encoding with a JSON 400',
    method: 'GET',
    url: '/v1/archive_policy/%E2%9C',
    status: 400,
    expect: json({ code: 400 }),
  },
]);

describe('body size limit', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi({ api: { bodyLimitBytes: 1024 } });
  });
  after(() => api.close());

  it('refuses a body over the limit with a JSON 413', async () => {
    const body = JSON.stringify({ ...POLICY, name: 'x'.repeat(2000) });
    const response = await send(api, { method: 'POST', url: '/v1/archive_policy', body });
    assert.equal(response.status, 413);
    assert.deepEqual(
      assertErrorBody(response).description,
      'Request body is larger than the limit of 1024 bytes',
    );
  });
});

describe('CORS', () => {
  const preflight = (origin: string) => ({
    method: 'OPTIONS',
    url: '/v1/archive_policy',
    headers: { origin, 'access-control-request-method': 'GET', authorization: null },
  });

  describe('without allowed origins', () => {
    let api: TestApi;
    before(async () => {
      api = await startApi();
    });
    after(() => api.close());

    it('sends no CORS headers', async () => {
      const response = await send(api, preflight('http://foobar.com'));
      assert.equal(response.status, 200);
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      const get = await send(api, {
        method: 'GET',
        url: '/v1/metric',
        headers: { origin: 'http://foobar.com' },
      });
      assert.equal(get.headers['access-control-allow-origin'], undefined);
    });
  });

  describe('with an allowed origin', () => {
    let api: TestApi;
    before(async () => {
      api = await startApi({ api: { corsAllowedOrigins: ['http://foobar.com'] } });
    });
    after(() => api.close());

    it('grants no preflight to another origin, answering 200 as Gnocchi', async () => {
      const response = await send(api, preflight('http://notallowed.com'));
      assert.equal(response.status, 200);
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      assert.equal(response.headers['access-control-allow-methods'], undefined);
    });

    it('grants a preflight to the allowed origin for the method asked', async () => {
      const response = await send(api, preflight('http://foobar.com'));
      assert.equal(response.status, 200);
      assert.equal(response.headers['access-control-allow-origin'], 'http://foobar.com');
      assert.equal(response.headers['access-control-allow-methods'], 'GET');
    });

    it('marks actual requests of the allowed origin', async () => {
      const response = await send(api, {
        method: 'GET',
        url: '/v1/metric',
        headers: { origin: 'http://foobar.com' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers['access-control-allow-origin'], 'http://foobar.com');
      assert.equal(response.headers['access-control-allow-credentials'], 'true');
    });
  });
});

describe('reverse proxies', () => {
  const proxied = {
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'metrics.example.org',
    'x-forwarded-prefix': '/gnocchi',
  };

  describe('from a trusted proxy', () => {
    let api: TestApi;
    before(async () => {
      api = await startApi({ api: { trustedProxies: ['127.0.0.1'] } });
    });
    after(() => api.close());

    it('uses the forwarded scheme, host and prefix in Location', async () => {
      const response = await send(api, {
        method: 'POST',
        url: '/v1/archive_policy',
        headers: { ...AS_ADMIN, ...proxied },
        body: POLICY,
      });
      assert.equal(
        response.headers.location,
        'https://metrics.example.org/gnocchi/v1/archive_policy/p',
      );
    });

    it('uses them in Link', async () => {
      for (const name of ['a', 'b']) {
        await send(api, {
          method: 'POST',
          url: '/v1/metric',
          body: { name, archive_policy_name: 'p' },
        });
      }
      const response = await send(api, {
        method: 'GET',
        url: '/v1/metric?limit=1',
        headers: proxied,
      });
      assert.match(
        String(response.headers.link),
        /^<https:\/\/metrics\.example\.org\/gnocchi\/v1\/metric\?limit=1&/,
      );
    });

    it('reads RFC 7239 Forwarded, as Gnocchi’s proxy test does', async () => {
      const headers = {
        forwarded: 'for=192.0.2.60;proto=http;host=foobar',
        'x-forwarded-prefix': '/gnocchi',
      };
      const response = await send(api, { method: 'GET', url: '/', headers });
      assert.equal(
        (response.json() as { versions: { links: { href: string }[] }[] }).versions[0]!.links[0]!
          .href,
        'http://foobar/gnocchi/v1/',
      );
    });

    it('ignores a forwarded host that is not a host', async () => {
      const response = await send(api, {
        method: 'GET',
        url: '/',
        headers: { 'x-forwarded-host': 'évil host/' },
      });
      assert.match(JSON.stringify(response.json()), /"http:\/\/localhost:80\/v1\/"/);
    });
  });

  describe('from an untrusted peer', () => {
    let api: TestApi;
    before(async () => {
      api = await startApi({ api: { trustedProxies: ['10.0.0.0/8'] } });
    });
    after(() => api.close());

    it('ignores the forwarded headers', async () => {
      const response = await send(api, {
        method: 'POST',
        url: '/v1/archive_policy',
        headers: { ...AS_ADMIN, ...proxied },
        body: POLICY,
      });
      assert.equal(response.headers.location, 'http://localhost:80/v1/archive_policy/p');
    });

    it('honours them from a peer in a trusted range', async () => {
      const response = await api.app.inject({
        method: 'GET',
        url: '/',
        headers: proxied,
        remoteAddress: '10.1.2.3',
      });
      assert.match(response.body, /"https:\/\/metrics\.example\.org\/gnocchi\/v1\/"/);
    });
  });
});

describe('shutting down', () => {
  it("answers a request completed after closing began with Orzo's JSON 503", async () => {
    const api = await startApi();
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    // NOTE: a request half sent keeps its connection busy, so closing does not drop it.
    socket.write('GET /v1/capabilities HTTP/1.1\r\nHost: orzo\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = api.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write('\r\n');
    await ended;
    await closing;
    assert.match(answer, /^HTTP\/1\.1 503 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;
    assert.deepEqual(body, {
      code: 503,
      title: 'Service Unavailable',
      description: 'The server is shutting down; retry the request',
    });
  });
});
