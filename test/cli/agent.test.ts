/**
 * `orzo agent` as a real process on a loopback address of its own (127.0.0.2, as one host of
 * several), reading a fixture tree: a poller's signed dump gets its samples; without a secret
 * the command refuses to start.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AgentConnection } from '../../src/agent/agent-client.ts';
import { freePort, launchListener, runOrzo, type MetricdChild } from '../support/orzo-process.ts';
import { PROC_FIXTURE } from '../support/proc-fixture.ts';

const SECRET = 'a-secret-for-the-agent-test';
const HOST = '127.0.0.2';

describe('orzo agent', () => {
  let agent: MetricdChild;
  let port: number;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'orzo-agent-'));
    port = await freePort();
    agent = await launchListener('agent', {
      dataDir,
      env: {
        ORZO_AGENT_HOST: HOST,
        ORZO_AGENT_PORT: String(port),
        ORZO_AGENT_SECRET: SECRET,
        ORZO_AGENT_PROC_ROOT: PROC_FIXTURE,
        ORZO_AGENT_HOSTNAME: 'web-7',
      },
    });
  });
  after(async () => {
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a signed dump with the samples of its host', async () => {
    const connection = await AgentConnection.open(HOST, port, SECRET, 5000);
    const answer = await connection.dump();
    assert.equal(answer.host, 'web-7');
    assert.equal(answer.samples.length, 1);
    const names = new Set(answer.samples[0]?.figures.map((figure) => figure.name));
    for (const name of [
      'node_cpu_seconds_total',
      'node_memory_MemAvailable_bytes',
      'node_load15',
    ]) {
      assert.ok(names.has(name), `${name} is sampled`);
    }
    assert.equal(await connection.acknowledge(answer.samples[0]?.seq ?? 0), 1);
    connection.close();
  });

  it('refuses to start without a secret', () => {
    assert.throws(() => runOrzo(['agent', '--data-dir', dataDir]), /the agent needs agent\.secret/);
  });
});
