/**
 * Where and how the API listens: protected mode refuses the trusting auth modes on an address
 * others can reach (and says why in one line) unless told otherwise, and `api.tls*` serves HTTPS,
 * which gnocchiclient talks to with the certificate as its CA.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort, runOrzo } from '../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');
const ADMIN = `Basic ${Buffer.from('admin:').toString('base64')}`;

function orzo(args: readonly string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [ORZO, ...args], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, ...env },
  });
}

/** Starts a long-running `orzo` command; `ready` is polled until it holds. */
async function launch(
  args: readonly string[],
  env: Record<string, string>,
  ready: () => Promise<boolean>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ORZO, ...args], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  for (let waited = 0; !(await ready()); waited += 200) {
    assert.ok(child.exitCode === null, `orzo ${args.join(' ')} exited with ${child.exitCode}`);
    assert.ok(waited < 90_000, `orzo ${args.join(' ')} never became ready`);
    await sleep(200);
  }
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child?.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A GET over HTTPS that trusts `ca`; resolves status and body, or rejects. */
function getTls(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { ca, headers: { authorization: ADMIN } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    request.on('error', reject);
  });
}

describe('where the API listens', () => {
  const root = mkdtempSync(join(tmpdir(), 'orzo-listen-'));
  const dataDir = join(root, 'data');
  const cert = join(root, 'cert.pem');
  const key = join(root, 'key.pem');
  const running: ChildProcess[] = [];

  before(() => {
    runOrzo(['upgrade', '--data-dir', dataDir]);
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    assert.equal(made.status, 0, made.stderr.toString());
  });
  after(async () => {
    for (const child of running) await stop(child);
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses basic and noauth on an address others can reach, in one line', () => {
    const fresh = join(root, 'never-made');
    for (const [command, auth] of [
      ['api', 'basic'],
      ['serve', 'noauth'],
    ] as const) {
      const result = orzo([command, '--data-dir', fresh, '--host', '0.0.0.0', '--auth', auth]);
      assert.equal(result.status, 2);
      assert.match(
        result.stderr,
        new RegExp(
          `^orzo: refusing to listen on 0\\.0\\.0\\.0 with --auth ${auth}, which .*` +
            '--protected-mode false.*\\n$',
        ),
      );
    }
    assert.equal(existsSync(fresh), false, 'nothing was created before the refusal');
  });

  it('listens there once told that something in front authenticates', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/healthcheck`;
    const args = ['api', '--data-dir', dataDir, '--host', '0.0.0.0', '--port', String(port)];
    const child = await launch(args, { ORZO_API_PROTECTED_MODE: 'false' }, () =>
      fetch(url).then(
        (response) => response.ok,
        () => false,
      ),
    );
    running.push(child);
    await stop(child);
  });

  it('serves HTTPS with api.tlsCertFile and api.tlsKeyFile, to gnocchiclient too', async () => {
    const port = await freePort();
    const base = `https://127.0.0.1:${port}`;
    const ca = readFileSync(cert);
    const env = { ORZO_API_TLS_CERT_FILE: cert, ORZO_API_TLS_KEY_FILE: key };
    const child = await launch(['api', '--data-dir', dataDir, '--port', String(port)], env, () =>
      getTls(`${base}/healthcheck`, ca).then(
        ({ status }) => status === 200,
        () => false,
      ),
    );
    running.push(child);
    const policies = await getTls(`${base}/v1/archive_policy`, ca);
    assert.equal(policies.status, 200);
    assert.ok((JSON.parse(policies.body) as unknown[]).length > 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthcheck`));
    const listed = spawnSync(
      'gnocchi',
      ['--os-auth-type', 'gnocchi-basic', '--user', 'admin', '--endpoint', base].concat([
        'archive-policy',
        'list',
        '-f',
        'value',
        '-c',
        'name',
      ]),
      { encoding: 'utf8', env: { ...process.env, REQUESTS_CA_BUNDLE: cert } },
    );
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(listed.stdout.split('\n').filter(Boolean).sort(), [
      'bool',
      'high',
      'low',
      'medium',
    ]);
    await stop(child);
  });

  it('refuses a certificate without its key, in one line', () => {
    const result = orzo(['api', '--data-dir', dataDir], { ORZO_API_TLS_CERT_FILE: cert });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^orzo: api.tlsCertFile and api.tlsKeyFile go together.*\n$/);
  });
});
