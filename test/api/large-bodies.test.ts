/**
 * Large hostile bodies are not parsed before their request is known to be allowed: a body posted
 * to a metric that does not exist, or anonymously to a batch endpoint, is refused without being
 * decoded, and the server keeps answering others meanwhile. The bodies are sent from processes
 * of their own, and `/healthcheck` is probed once all of them are being sent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ADMIN, FOOBAR, startApi, type TestApi } from './harness.ts';

const MISSING = '0b1cb5e0-4a3c-4b68-9a8d-6c3f0a7c2f11';
const RESOURCE = '5a4ad3d4-0b6e-4f4c-9bb8-3c1c2f7d0e21';
/** 40,000 measures, about 1.6 MB: parsed by a worker. */
const LEGIT = Buffer.from(
  `[${Array.from({ length: 40_000 }, (_, i) => `{"timestamp": ${1_600_000_000 + i}, "value": ${i}}`).join(',')}]`,
);
/** 16 MiB of `[{},{},…]`: millions of objects once parsed. */
const HOSTILE = Buffer.from(`[${'{},'.repeat((16 * 2 ** 20) / 3)}{}]`);

/**
 * Sends one body from a process of its own, as a real client would: the test's own writing of
 * tens of megabytes must not count as the server's time. Prints `sending` once connected, then
 * the answer's status.
 */
const SENDER = `
const { request } = require('node:http');
const { readFileSync } = require('node:fs');
const [port, path, file, authorization] = process.argv.slice(1);
const body = readFileSync(file);
const headers = { 'content-type': 'application/json', 'content-length': body.length };
if (authorization) headers.authorization = authorization;
const req = request({ host: '127.0.0.1', port: Number(port), path, method: 'POST', headers }, (res) => {
  res.resume();
  process.stdout.write(String(res.statusCode) + '\\n');
});
req.on('error', (error) => { process.stdout.write('error ' + error.message + '\\n'); });
req.on('socket', (socket) => socket.on('connect', () => process.stdout.write('sending\\n')));
req.end(body);
`;

const bodyDir = mkdtempSync(join(tmpdir(), 'orzo-large-bodies-'));

/** A request in flight from its own process. */
interface Sent {
  /** Resolves once the sender is connected and writing. */
  readonly sending: Promise<void>;
  readonly status: Promise<number>;
}

function post(port: number, path: string, body: Buffer, authorization?: string): Sent {
  const file = join(bodyDir, `${randomUUID()}.json`);
  writeFileSync(file, body);
  const child = spawn(
    process.execPath,
    ['-e', SENDER, String(port), path, file, authorization ?? ''],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  let markSending = (): void => undefined;
  const sending = new Promise<void>((resolve) => (markSending = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('sending')) markSending();
  });
  const status = new Promise<number>((resolve, reject) => {
    // NOTE: 'close', not 'exit': a child's exit can be reported before the last of its output
    // (the status line) has been read from its pipe.
    child.on('close', () => {
      markSending();
      const answer = /^(\d{3})$/m.exec(output);
      if (answer === null) reject(new Error(`no answer: ${output}`));
      else resolve(Number(answer[1]));
    });
  });
  return { sending, status };
}

/**
 * A median `/healthcheck` this slow means the event loop was held: parsing one of these bodies on
 * it takes seconds. Generous, so that a loaded machine (tests run two at a time) is not taken
 * for a blocked loop.
 */
const BLOCKED_MS = 1000;

/** Starts the requests, waits until every one is being sent, then probes /healthcheck. */
async function probeWhileSending(port: number, sent: readonly Sent[]): Promise<number[]> {
  await Promise.all(sent.map(({ sending }) => sending));
  return probeHealthcheck(port);
}

const statuses = (sent: readonly Sent[]) => Promise.all(sent.map(({ status }) => status));

/** Five /healthcheck latencies (ms), sorted, each answer checked. */
async function probeHealthcheck(port: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let probe = 0; probe < 5; probe++) {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/healthcheck`);
    latencies.push(performance.now() - started);
    assert.equal(response.status, 200);
  }
  return latencies.sort((a, b) => a - b);
}

describe('large bodies', () => {
  let api: TestApi;
  let port: number;

  let metric: string;
  let resourceMetric: string;

  before(async () => {
    api = await startApi({ api: { parseWorkerHeapMb: 64, parseTimeoutSeconds: 2 } });
    await api.app.inject({
      method: 'POST',
      url: '/v1/archive_policy',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      payload: { name: 'p', definition: [{ granularity: 1, points: 60 }] },
    });
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/metric',
      headers: { authorization: FOOBAR, 'content-type': 'application/json' },
      payload: { archive_policy_name: 'p' },
    });
    metric = created.json<{ id: string }>().id;
    const resource = await api.app.inject({
      method: 'POST',
      url: '/v1/resource/generic',
      headers: { authorization: FOOBAR, 'content-type': 'application/json' },
      payload: { id: RESOURCE, metrics: { cpu: { archive_policy_name: 'p' } } },
    });
    resourceMetric = resource.json<{ metrics: { cpu: string } }>().metrics.cpu;
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
  });
  after(async () => {
    await api.close();
    rmSync(bodyDir, { recursive: true, force: true });
  });

  it('answers 404 for an unknown metric and 401 anonymously before decoding the body', async () => {
    const notJson = Buffer.from('[{"timestamp": 1, "value": ');
    assert.equal(await post(port, `/v1/metric/${MISSING}/measures`, notJson, FOOBAR).status, 404);
    assert.equal(await post(port, '/v1/batch/metrics/measures', notJson).status, 401);
    assert.equal(await post(port, '/v1/batch/resources/metrics/measures', notJson).status, 401);
  });

  it('keeps answering /healthcheck while hostile bodies are refused', async () => {
    const hostile = [
      post(port, `/v1/metric/${MISSING}/measures`, HOSTILE, FOOBAR),
      post(port, `/v1/metric/${MISSING}/measures`, HOSTILE),
      post(port, '/v1/batch/metrics/measures', HOSTILE),
      post(port, '/v1/batch/resources/metrics/measures', HOSTILE),
    ];
    const latencies = await probeWhileSending(port, hostile);
    assert.deepEqual((await statuses(hostile)).sort(), [401, 401, 404, 404]);
    assert.ok((latencies[2] as number) < BLOCKED_MS, `median /healthcheck ${latencies[2]} ms`);
  });

  it('parses large bodies of allowed requests off the event loop, refusing hostile ones', async () => {
    const legit = LEGIT;
    const requests = [
      post(port, `/v1/metric/${metric}/measures`, HOSTILE, FOOBAR),
      post(
        port,
        '/v1/batch/metrics/measures',
        Buffer.from(`{"${metric}": ${HOSTILE.toString()}}`),
        FOOBAR,
      ),
      post(port, `/v1/metric/${metric}/measures`, legit, FOOBAR),
    ];
    const latencies = await probeWhileSending(port, requests);
    const [hostileOne, hostileBatch, accepted] = await statuses(requests);
    for (const status of [hostileOne, hostileBatch]) {
      assert.ok(status === 400 || status === 413, String(status));
    }
    assert.equal(accepted, 202);
    const { measures: stored } = await api.incoming.readPending(metric);
    assert.equal(stored.timestamps.length, 40_000);
    assert.ok((latencies[2] as number) < BLOCKED_MS, `median /healthcheck ${latencies[2]} ms`);
  });

  it('parses large batches by resource off the event loop too', async () => {
    const hostile = Buffer.from(`{"${RESOURCE}": {"cpu": ${HOSTILE.toString()}}}`);
    const legit = Buffer.from(`{"${RESOURCE}": {"cpu": {"measures": ${LEGIT.toString()}}}}`);
    const path = '/v1/batch/resources/metrics/measures';
    const requests = [post(port, path, hostile, FOOBAR), post(port, path, legit, FOOBAR)];
    const latencies = await probeWhileSending(port, requests);
    const [refused, accepted] = await statuses(requests);
    assert.ok(refused === 400 || refused === 413, String(refused));
    assert.equal(accepted, 202);
    const { measures: stored } = await api.incoming.readPending(resourceMetric);
    assert.equal(stored.timestamps.length, 40_000);
    assert.ok((latencies[2] as number) < BLOCKED_MS, `median /healthcheck ${latencies[2]} ms`);
  });
});
