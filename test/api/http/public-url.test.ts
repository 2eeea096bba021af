import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  absoluteUrl,
  publicUrl,
  quotePath,
  trustProxyFunction,
} from '../../../src/api/http/public-url.ts';
import { ConfigError } from '../../../src/errors/index.ts';

describe('trustProxyFunction', () => {
  const trust = trustProxyFunction(['10.0.0.0/8', '192.0.2.1', 'loopback', 'fd00::/8']);
  const cases: readonly [string, boolean][] = [
    ['10.20.30.40', true],
    ['11.0.0.1', false],
    ['192.0.2.1', true],
    ['192.0.2.2', false],
    ['127.0.0.1', true],
    ['::1', true],
    ['::ffff:10.1.1.1', true],
    ['fd12::1', true],
    ['fe80::1', false],
    ['not an address', false],
  ];
  for (const [address, trusted] of cases) {
    it(`${trusted ? 'trusts' : 'does not trust'} ${address}`, () => {
      assert.equal(trust(address, 0), trusted);
    });
  }
  it('trusts nothing when no proxy is configured', () => {
    assert.equal(trustProxyFunction([])('127.0.0.1', 0), false);
  });
  it('refuses entries that are not addresses or ranges', () => {
    assert.throws(() => trustProxyFunction(['proxy.example.org']), ConfigError);
    assert.throws(() => trustProxyFunction(['10.0.0.0/33']), ConfigError);
  });
});

describe('publicUrl', () => {
  const trustAll = () => true;
  const request = (headers: Record<string, string>) => ({
    headers: { host: 'api:8041', ...headers },
    socket: { remoteAddress: '127.0.0.1' },
  });
  it('is the Host when nothing is forwarded', () => {
    assert.deepEqual(publicUrl(request({}), trustAll), { origin: 'http://api:8041', prefix: '' });
  });
  it('prefers Forwarded to X-Forwarded-*', () => {
    const url = publicUrl(
      request({ forwarded: 'for=1.2.3.4;proto=https;host="a.example"', 'x-forwarded-host': 'b' }),
      trustAll,
    );
    assert.equal(url.origin, 'https://a.example');
  });
  it('takes the first of several forwarded values and normalises the prefix', () => {
    const url = publicUrl(
      request({ 'x-forwarded-host': 'a.example, b.example', 'x-forwarded-prefix': 'gnocchi/' }),
      trustAll,
    );
    assert.deepEqual(url, { origin: 'http://a.example', prefix: '/gnocchi' });
  });
  it('ignores an unknown scheme', () => {
    assert.equal(
      publicUrl(request({ 'x-forwarded-proto': 'gopher' }), trustAll).origin,
      'http://api:8041',
    );
  });
});

describe('quotePath', () => {
  it('encodes as Python quote, keeping slashes', () => {
    assert.equal(
      quotePath("/v1/archive_policy/✔ a!'()*~"),
      '/v1/archive_policy/%E2%9C%94%20a%21%27%28%29%2A~',
    );
  });
  it('makes absolute URLs', () => {
    assert.equal(
      absoluteUrl({ origin: 'http://h', prefix: '/p' }, '/v1/metric/x'),
      'http://h/p/v1/metric/x',
    );
  });
});
