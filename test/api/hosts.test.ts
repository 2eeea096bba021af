/**
 * `GET /v1/host/{name}/now`: the now view the poller keeps, for whoever may read the host's
 * resource; a host not yet polled answers without figures, an unknown one 404.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FileHostNowBoard } from '../../src/coordination/index.ts';
import { addHost, ensureHostSchema, hostResourceId } from '../../src/metricd/index.ts';
import { ADMIN, FOOBAR, startApi, type TestApi } from './harness.ts';

describe('GET /v1/host/{name}/now', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-host-now-'));
  const board = new FileHostNowBoard(dataDir);
  let api: TestApi;

  before(async () => {
    api = await startApi({ hostNowBoard: board });
    await ensureHostSchema(api.indexer, ['mean']);
    await addHost(api.indexer, 'web-1', '127.0.0.2:8650', Date.now() * 1000);
    await addHost(api.indexer, 'web 2', '127.0.0.3:8650', Date.now() * 1000);
    await board.write(hostResourceId('web-1'), {
      host: 'web-1',
      address: '127.0.0.2:8650',
      up: true,
      lastContact: '2026-12-05T10:00:00.000Z',
      sampledAt: '2026-12-05T09:59:59.000Z',
      updatedAt: '2026-12-05T10:00:00.005Z',
      quantumSeconds: 15,
      agentDropped: 3,
      lastError: null,
      figures: { node_load1: 0.5, 'node_cpu_seconds_total:rate@mode=user': NaN },
    });
  });
  after(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (name: string, authorization = ADMIN) =>
    api.app.inject({
      method: 'GET',
      url: `/v1/host/${encodeURIComponent(name)}/now`,
      headers: { authorization },
    });

  it('answers the newest sample and the agent state', async () => {
    const answer = await get('web-1');
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(answer.json(), {
      host: 'web-1',
      address: '127.0.0.2:8650',
      up: true,
      last_contact: '2026-12-05T10:00:00.000Z',
      sampled_at: '2026-12-05T09:59:59.000Z',
      updated_at: '2026-12-05T10:00:00.005Z',
      quantum_seconds: 15,
      agent_dropped: 3,
      last_error: null,
      figures: { node_load1: 0.5, 'node_cpu_seconds_total:rate@mode=user': null },
    });
  });

  it('answers a host not yet polled without figures', async () => {
    const answer = await get('web 2');
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json<Record<string, unknown>>();
    assert.equal(body.address, '127.0.0.3:8650');
    assert.equal(body.up, false);
    assert.equal(body.sampled_at, null);
    assert.deepEqual(body.figures, {});
  });

  it('answers 404 for an unknown host, 403 to a user who may not read it', async () => {
    const unknown = await get('nope');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json<{ description: string }>().description, /Resource nope does not/);
    assert.equal((await get('web-1', FOOBAR)).statusCode, 403);
  });
});
