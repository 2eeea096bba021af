/**
 * `orzo api --auth keystone` as OpenStack runs Gnocchi: a real Keystone (Debian's package) with
 * Orzo registered in its catalog as the `metric` service, and Gnocchi's own client using a
 * Keystone session (password auth, endpoint from the catalog) against it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startKeystone, type Keystone } from '../support/keystone.ts';
import { freePort, launchOrzo, runOrzo, type OrzoChild } from '../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');

describe('orzo api --auth keystone, with gnocchiclient on a Keystone session', () => {
  let keystone: Keystone;
  let dataDir: string;
  let api: OrzoChild;

  /** Runs `gnocchi` as a Keystone user of a project, finding Orzo in the catalog. */
  const gnocchi = (user: string, project: string, ...args: string[]) =>
    spawnSync(
      'gnocchi',
      [
        '--os-auth-type',
        'password',
        '--os-auth-url',
        `${keystone.url}/v3`,
        '--os-username',
        user,
        '--os-password',
        `${user}-pw`,
        '--os-project-name',
        project,
        '--os-user-domain-id',
        'default',
        '--os-project-domain-id',
        'default',
        ...args,
        // NOTE: commands that print nothing take no format.
        ...(args[1] === 'add' ? [] : ['-f', 'json']),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );

  before(async () => {
    keystone = await startKeystone(3600);
    await keystone.addServiceUser('gnocchi', 'gnocchi-pw');
    await keystone.addMember('alice', 'alice-pw', 'p1');
    await keystone.addMember('bob', 'bob-pw', 'p2');
    dataDir = mkdtempSync(join(tmpdir(), 'orzo-keystone-api-'));
    runOrzo(['upgrade', '--data-dir', dataDir]);
    api = await launchOrzo('api', {
      dataDir,
      port: await freePort(),
      flags: ['--auth', 'keystone'],
      env: {
        ORZO_API_KEYSTONE_URL: keystone.url,
        ORZO_API_KEYSTONE_SERVICE_PASSWORD: 'gnocchi-pw',
      },
    });
    await keystone.registerEndpoint('metric', 'gnocchi', api.url);
  });
  after(async () => {
    await api.stop();
    await keystone.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves gnocchiclient with Keystone users, each seeing its own project', () => {
    const created = gnocchi(
      'alice',
      'p1',
      'metric',
      'create',
      '--archive-policy-name',
      'low',
      'cpu',
    );
    assert.equal(created.status, 0, created.stderr);
    const metric = JSON.parse(created.stdout) as { id: string; creator: string };
    assert.match(metric.creator, /^[0-9a-f]{32}:[0-9a-f]{32}$/);
    const posted = gnocchi(
      'alice',
      'p1',
      'measures',
      'add',
      '-m',
      '2026-12-01T00:00:00@42',
      metric.id,
    );
    assert.equal(posted.status, 0, posted.stderr);
    const read = gnocchi(
      'alice',
      'p1',
      'measures',
      'show',
      '--refresh',
      '--granularity',
      '300',
      metric.id,
    );
    assert.equal(read.status, 0, read.stderr);
    assert.deepEqual(
      (JSON.parse(read.stdout) as { value: number }[]).map((measure) => measure.value),
      [42],
    );
    const mine = gnocchi('alice', 'p1', 'metric', 'list');
    assert.deepEqual(
      (JSON.parse(mine.stdout) as { id: string }[]).map((each) => each.id),
      [metric.id],
    );
    const theirs = gnocchi('bob', 'p2', 'metric', 'list');
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.deepEqual(JSON.parse(theirs.stdout), []);
    const denied = gnocchi('bob', 'p2', 'metric', 'show', metric.id);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /Access was denied|403/);
  });

  it('refuses a request without a token, and a token Keystone does not know', async () => {
    const anonymous = await fetch(`${api.url}/v1/metric`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), `Keystone uri="${keystone.url}"`);
    const forged = await fetch(`${api.url}/v1/metric`, {
      headers: { 'x-auth-token': 'gAAAAAforged' },
    });
    assert.equal(forged.status, 401);
    assert.equal(
      ((await forged.json()) as { description: string }).description,
      'The credentials are not valid',
    );
  });

  it('refuses to start without Keystone URL, saying which setting is missing', () => {
    const result = spawnSync(
      process.execPath,
      [ORZO, 'api', '--data-dir', dataDir, '--auth', 'keystone', '--port', '1'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(result.status, 2);
    assert.match(result.stderr, /api\.keystoneUrl/);
  });
});
