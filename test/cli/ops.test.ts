/**
 * `orzo ops` against a real `orzo serve`: one dump of the API and of the metricd workers (reached
 * through the reporter's admin socket in the data folder), filters, and the exit statuses.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { OpsDump } from '../../src/optracker/index.ts';
import { freePort, startOrzo, type OrzoProcess } from '../support/orzo-process.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');

interface OpsRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface OpsAnswer {
  readonly api: Record<string, OpsDump>;
  readonly metricd: Record<string, OpsDump>;
}

/** Runs `orzo ops <args>` to its end. */
function orzoOps(args: readonly string[]): Promise<OpsRun> {
  const child = spawn(process.execPath, [ORZO, 'ops', ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('orzo ops', () => {
  let orzo: OrzoProcess;
  let port: string;
  let name: string;

  before(async () => {
    orzo = await startOrzo('serve', ['--workers', '1']);
    port = new URL(orzo.url).port;
    name = `${hostname()}.${orzo.pid}`;
  });
  after(() => orzo.stop());

  it('prints the dump of the API and of every metricd worker', async () => {
    // NOTE: the API answers before the worker process has started; the worker then joins in.
    let answer: OpsAnswer | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      const run = await orzoOps(['in-flight', '--host', '127.0.0.1', '--port', port]);
      assert.equal(run.code, 0, run.stderr);
      answer = JSON.parse(run.stdout) as OpsAnswer;
      if (`${name}.worker-0` in answer.metricd) break;
      await sleep(100);
    }
    assert.ok(answer);
    assert.deepEqual(Object.keys(answer.api), [`${name}.api`]);
    assert.deepEqual(
      answer.api[`${name}.api`]?.ops.map((op) => op.description),
      ['GET /v1/ops/in-flight'],
    );
    assert.deepEqual(
      Object.keys(answer.metricd),
      [`${name}.worker-0`],
      "the reporter is this process, whose ops are the API's",
    );
    assert.equal(answer.metricd[`${name}.worker-0`]?.enabled, true);
  });

  it('filters by kind and description', async () => {
    const run = await orzoOps([
      'historic',
      '--url',
      orzo.url,
      '--kind',
      'request',
      '--description',
      'healthcheck',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as OpsAnswer;
    const ops = answer.api[`${name}.api`]?.ops ?? [];
    assert.ok(ops.length > 0, 'the health checks of the start');
    assert.deepEqual([...new Set(ops.map((op) => op.description))], ['GET /healthcheck']);
  });

  it('exits 1 with the error when the API refuses', async () => {
    const run = await orzoOps(['blocked', '--url', orzo.url, '--user', 'foobar']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^orzo ops: 403 Forbidden: \{"code":403/);
    assert.equal(run.stdout, '');
  });

  it('exits 2 when the API does not answer', async () => {
    const run = await orzoOps(['historic', '--url', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^orzo ops: no answer from http:\/\/127\.0\.0\.1:\d+: /);
  });

  it('takes slow and by-duration for the historic dumps', async () => {
    for (const alias of ['slow', 'by-duration']) {
      const run = await orzoOps([alias, '--url', orzo.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(`${name}.api` in (JSON.parse(run.stdout) as OpsAnswer).api);
    }
  });

  it('exits 2 on an unknown dump, naming the dumps', async () => {
    const run = await orzoOps(['nope', '--url', orzo.url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /expected one of in-flight, blocked, historic/);
  });
});
