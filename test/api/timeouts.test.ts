/**
 * Slow clients cannot hold connections: headers, the whole request and a silent connection each
 * have a time limit (`api.headersTimeoutSeconds`, `api.requestTimeoutSeconds`,
 * `api.idleTimeoutSeconds`), here set short.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ADMIN, startApi, type TestApi } from './harness.ts';

/** Feeds `chunks` one every 200 ms until the server closes; resolves with what it answered. */
async function trickle(port: number, chunks: readonly string[]): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  const state = { closed: false };
  socket.on('data', (data: Buffer) => (answer += data.toString()));
  socket.on('error', () => undefined);
  const done = new Promise<void>((resolve) =>
    socket.once('close', () => {
      state.closed = true;
      resolve();
    }),
  );
  await new Promise((resolve) => socket.once('connect', resolve));
  for (const chunk of chunks) {
    if (state.closed) break;
    socket.write(chunk);
    await sleep(200);
  }
  // NOTE: a server without limits would leave the connection open past this point for good.
  await Promise.race([done, sleep(15_000)]);
  socket.destroy();
  assert.ok(state.closed, 'the server kept the connection open');
  return answer;
}

describe('request timeouts', () => {
  let api: TestApi;
  let port: number;

  before(async () => {
    api = await startApi({
      api: { headersTimeoutSeconds: 1, requestTimeoutSeconds: 2, idleTimeoutSeconds: 2 },
    });
    const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
  });
  after(() => api.close());

  it('answers 408 to a body sent a byte at a time past the request timeout', async () => {
    const head =
      `POST /v1/metric HTTP/1.1\r\nHost: orzo\r\nAuthorization: ${ADMIN}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    const answer = await trickle(port, [head, ...Array<string>(200).fill(' ')]);
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('answers 408 to headers sent a byte at a time past the headers timeout', async () => {
    const answer = await trickle(port, ['GET /v1/ HTTP/1.1\r\n', ...Array<string>(200).fill('X')]);
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('closes a connection that stays silent', async () => {
    // NOTE: no request has begun, so the headers timeout applies first.
    assert.match(await trickle(port, []), /^(HTTP\/1\.1 408 .*)?$/s);
  });

  it('still serves a client that sends its request in time', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthcheck`);
    assert.equal(response.status, 200);
  });
});
