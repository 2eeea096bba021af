/**
 * `orzo user` and `orzo token` as an operator runs them, then `orzo api --auth verified` serving
 * the accounts they made: curl-style requests, `orzo ops` with a token, and Gnocchi's own client
 * with a password (keystoneauth's `http_basic`) and with a token (`gnocchi-basic`, the token as
 * user name).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { freePort, launchOrzo, runOrzo, type OrzoChild } from '../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('orzo user and orzo token, served by orzo api --auth verified', () => {
  let dataDir: string;
  let api: OrzoChild | undefined;
  const orzo = (args: readonly string[], input?: string) =>
    runOrzo([...args, '--data-dir', dataDir, '--auth', 'verified'], {
      env: { ORZO_ADMIN_PASSWORD: 'admin-secret' },
      ...(input === undefined ? {} : { input }),
    });
  /** Runs a command expected to fail; returns its status and standard error. */
  const refused = (args: readonly string[], input = '') => {
    const result = spawnSync(process.execPath, [ORZO, ...args, '--data-dir', dataDir], {
      encoding: 'utf8',
      input,
    });
    return { status: result.status, stderr: result.stderr };
  };
  const get = (path: string, authorization?: string) =>
    fetch(`${api?.url ?? ''}${path}`, {
      headers: authorization === undefined ? {} : { authorization },
    });

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'orzo-accounts-'));
  });
  after(async () => {
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the admin from ORZO_ADMIN_PASSWORD on upgrade, once', () => {
    assert.match(orzo(['upgrade']), /created user admin with the role admin/);
    assert.doesNotMatch(orzo(['upgrade']), /created user admin/);
    assert.match(orzo(['user', 'list']), /^admin\s+admin\s+\d{4}-/m);
  });

  it('adds users with a password read from standard input, never from the command line', () => {
    assert.equal(
      orzo(['user', 'add', 'alice', '--project', 'p1', '--roles', 'member'], 'alice-pw\n'),
      'user alice added\n',
    );
    const listing = orzo(['user', 'list']).split('\n');
    assert.match(listing[0] ?? '', /^name\s+project\s+roles\s+created$/);
    assert.match(listing[2] ?? '', /^alice\s+p1\s+member\s+\d{4}-/);
    const again = refused(['user', 'add', 'alice'], 'other\n');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /User alice already exists/);
    const empty = refused(['user', 'add', 'bob'], '');
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /no password on standard input/);
    assert.equal(refused(['user', 'frobnicate']).status, 2);
  });

  it('serves the accounts: passwords, tokens, revocation, and the open probes', async () => {
    api = await launchOrzo('api', {
      dataDir,
      port: await freePort(),
      flags: ['--auth', 'verified'],
    });
    assert.equal((await get('/healthcheck')).status, 200);
    assert.equal((await get('/v1/metric')).status, 401);
    assert.equal((await get('/v1/metric', basic('alice', 'wrong'))).status, 401);
    assert.equal((await get('/v1/metric', basic('alice', 'alice-pw'))).status, 200);
    assert.equal((await get('/v1/status', basic('alice', 'alice-pw'))).status, 403);
    assert.equal((await get('/v1/status', basic('admin', 'admin-secret'))).status, 200);

    const token = orzo([
      'token',
      'create',
      'alice',
      '--description',
      'collector',
      '--expires',
      '1 hour',
    ]).trim();
    assert.match(token, /^orzo_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const id = token.split('_')[1] ?? '';
    const tokens = orzo(['token', 'list', 'alice']);
    assert.match(tokens, new RegExp(`^${id}\\s+alice\\s+\\S+\\s+\\S+\\s+collector$`, 'm'));
    // NOTE: the secret is base64url, which may itself hold `_`: cut it off by position.
    const secret = token.slice(`orzo_${id}_`.length);
    assert.equal(secret.length, 43);
    assert.ok(!tokens.includes(secret), 'the secret is never listed');
    assert.equal((await get('/v1/metric', `Bearer ${token}`)).status, 200);

    assert.equal(orzo(['token', 'revoke', id]), `token ${id} revoked\n`);
    assert.equal((await get('/v1/metric', `Bearer ${token}`)).status, 401);
    assert.equal(refused(['token', 'revoke', id]).status, 1);
  });

  it('takes a new password within seconds, and forgets a removed user', async () => {
    assert.equal(orzo(['user', 'passwd', 'alice'], 'alice-pw-2\n'), 'password of alice changed\n');
    await waitFor(
      async () => (await get('/v1/metric', basic('alice', 'alice-pw-2'))).status === 200,
    );
    assert.equal((await get('/v1/metric', basic('alice', 'alice-pw'))).status, 401);
    orzo(['user', 'remove', 'alice']);
    await waitFor(
      async () => (await get('/v1/metric', basic('alice', 'alice-pw-2'))).status === 401,
    );
  });

  it('lets orzo ops authenticate with a token', () => {
    const token = orzo(['token', 'create', 'admin']).trim();
    const dump = orzo(['ops', 'in-flight', '--url', api?.url ?? '', '--token', token]);
    assert.ok('api' in (JSON.parse(dump) as object));
  });

  it('serves Gnocchi own client, with a password and with a token', () => {
    orzo(['user', 'add', 'carol', '--project', 'p3'], 'carol-pw\n');
    const gnocchi = (auth: readonly string[], ...args: string[]) =>
      spawnSync('gnocchi', [...auth, '--endpoint', api?.url ?? '', ...args, '-f', 'json'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    const password = [
      '--os-auth-type',
      'http_basic',
      '--os-username',
      'carol',
      '--os-password',
      'carol-pw',
    ];
    const created = gnocchi(password, 'metric', 'create', '--archive-policy-name', 'low', 'load');
    assert.equal(created.status, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { creator: string }).creator, 'carol:p3');
    const token = orzo(['token', 'create', 'carol']).trim();
    const listed = gnocchi(['--os-auth-type', 'gnocchi-basic', '--user', token], 'metric', 'list');
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { name: string }[]).map((metric) => metric.name),
      ['load'],
    );
    const wrong = [
      '--os-auth-type',
      'http_basic',
      '--os-username',
      'carol',
      '--os-password',
      'nope',
    ];
    const refusedList = gnocchi(wrong, 'metric', 'list');
    assert.notEqual(refusedList.status, 0);
    assert.match(refusedList.stderr, /credentials are not valid|401/);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
