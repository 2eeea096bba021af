/**
 * The console's routes: the page, its bundled assets, how they are cached and protected, and
 * that they need no credentials in any auth mode (the page signs in through the API).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ADMIN, FOOBAR, startApi, type TestApi } from './harness.ts';

describe('console routes', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi({ api: { auth: 'verified' } });
  });
  after(() => api.close());

  it('sends /console to /console/, so that relative addresses resolve', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/console' });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, 'http://localhost:80/console/');
  });

  it('serves the page to anonymous callers, naming the auth mode, under a strict policy', async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: '/console/',
      headers: { accept: 'text/html' },
    });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    assert.match(response.body, /<meta name="orzo-auth" content="verified">/);
    assert.match(response.body, /<script type="module" src="app.js">/);
    const policy = response.headers['content-security-policy'] as string;
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
  });

  it('bundles the script with uPlot and the stylesheet with its styles', async () => {
    const script = await api.app.inject({ method: 'GET', url: '/console/app.js' });
    assert.equal(script.statusCode, 200);
    assert.match(script.headers['content-type'] as string, /^text\/javascript/);
    assert.ok(script.body.includes('u-over'), 'uPlot is in the bundle');
    assert.ok(script.body.includes('Copyright (c) 2022 Leon Sorokin'), "with uPlot's notice");
    assert.ok(!/from\s*["'](?:\.|uplot)/.test(script.body), 'every import is bundled');
    const style = await api.app.inject({ method: 'GET', url: '/console/app.css' });
    assert.equal(style.statusCode, 200);
    assert.match(style.body, /\.uplot/);
    assert.match(style.body, /\.sign-in/);
  });

  it('answers a revalidation with 304 by its ETag', async () => {
    const first = await api.app.inject({ method: 'GET', url: '/console/app.js' });
    const etag = first.headers.etag as string;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const again = await api.app.inject({
      method: 'GET',
      url: '/console/app.js',
      headers: { 'if-none-match': etag },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  it('answers an unknown asset with the API’s JSON 404', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/console/secrets.json' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ code: number }>().code, 404);
  });

  it('still guards the API the page talks to, and its session check', async () => {
    for (const url of ['/v1/status', '/console/session']) {
      const response = await api.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 401, url);
    }
    const wrong = await api.app.inject({
      method: 'GET',
      url: '/console/session',
      headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    });
    assert.equal(wrong.statusCode, 401);
  });
});

describe('console session', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(() => api.close());

  const session = (authorization?: string) =>
    api.app.inject({
      method: 'GET',
      url: '/console/session',
      headers: authorization === undefined ? {} : { authorization },
    });

  it('names the caller and the page rules an admin passes', async () => {
    const response = await session(ADMIN);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      user: 'admin',
      rules: {
        'get status': true,
        'get ops': true,
        'get subhealth': true,
        'update subhealth': true,
      },
    });
  });

  it('answers a user who is not an admin with the rules refused', async () => {
    const response = await session(FOOBAR);
    assert.equal(response.statusCode, 200);
    const body = response.json<{ user: string; rules: Record<string, boolean> }>();
    assert.equal(body.user, 'foobar');
    assert.deepEqual(Object.values(body.rules), [false, false, false, false]);
  });

  it('refuses an anonymous caller with a 401', async () => {
    assert.equal((await session()).statusCode, 401);
  });
});
