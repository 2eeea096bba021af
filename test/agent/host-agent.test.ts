/**
 * The agent on real sockets, reading a fixture tree: signed dumps and acknowledgements, samples
 * kept until acknowledged, a wrong secret refused, a broken frame closing its connection alone,
 * the quantum set by the poller, and `/metrics`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { AgentConnection } from '../../src/agent/agent-client.ts';
import { startAgent, type RunningAgent } from '../../src/agent/host-agent.ts';
import { warningLogger } from '../support/warning-logger.ts';
import { PROC_FIXTURE as FIXTURE } from '../support/proc-fixture.ts';

const SECRET = 'the-shared-secret-of-the-test';

describe('host agent', () => {
  let agent: RunningAgent;
  const { logger, warnings } = warningLogger();

  before(async () => {
    agent = await startAgent({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      hostname: 'fixture-host',
      procRoot: FIXTURE,
      quantumSeconds: 3600,
      maxSamples: 5,
      maxBytes: 1_000_000,
      metricsPort: 0,
      logger,
      readSpace: () => Promise.resolve({ sizeBytes: 100, freeBytes: 40, availBytes: 30 }),
    });
  });
  after(() => agent.close());

  const open = () => AgentConnection.open('127.0.0.1', agent.port, SECRET, 5000);

  it('dumps the samples not yet acknowledged, again until they are', async () => {
    await agent.sample();
    const connection = await open();
    const first = await connection.dump();
    assert.equal(first.host, 'fixture-host');
    assert.deepEqual(
      first.samples.map((sample) => sample.seq),
      [1, 2],
    );
    const load = first.samples[0]?.figures.find((figure) => figure.name === 'node_load1');
    assert.equal(load?.value, 0.5);
    const again = await connection.dump({ max: 1 });
    assert.deepEqual(
      again.samples.map((sample) => sample.seq),
      [1],
    );
    assert.equal(await connection.acknowledge(1), 1);
    connection.close();
    // NOTE: a poller that died before acknowledging: the next connection gets them again.
    const next = await open();
    assert.deepEqual(
      (await next.dump()).samples.map((sample) => sample.seq),
      [2],
    );
    assert.equal(await next.acknowledge(2), 1);
    next.close();
  });

  it('drops the oldest samples beyond its bound and says how many', async () => {
    for (let index = 0; index < 7; index++) await agent.sample();
    const connection = await open();
    const answer = await connection.dump();
    assert.equal(answer.samples.length, 5);
    assert.equal(answer.dropped, 2);
    assert.equal(await connection.acknowledge(answer.samples.at(-1)?.seq ?? 0), 5);
    connection.close();
  });

  it('refuses a wrong secret and closes that connection', async () => {
    const intruder = await AgentConnection.open(
      '127.0.0.1',
      agent.port,
      'not-the-secret-at-all',
      5000,
    );
    await assert.rejects(intruder.dump(), /refused: authentication failed/);
    assert.ok(warnings.some((fields) => fields.reason === 'authentication failed'));
  });

  it('closes a connection that breaks the format, and only that one', async () => {
    const healthy = await open();
    const broken = connect(agent.port, '127.0.0.1');
    await new Promise((resolve) => broken.once('connect', resolve));
    const closed = new Promise((resolve) => broken.once('close', resolve));
    broken.write(Buffer.from([0, 0, 0, 3, 0x7b, 0x7b, 0x7b]));
    await closed;
    await agent.sample();
    assert.equal((await healthy.dump()).samples.length, 1);
    healthy.close();
  });

  it('samples at the quantum its poller asks for', async () => {
    const connection = await open();
    const before = agent.queue.length;
    const answer = await connection.dump({ quantumSeconds: 0.05 });
    assert.equal(answer.quantumSeconds, 0.05);
    // NOTE: three samples take 150 ms at that quantum; a busy machine may delay the timers, so
    // the wait has a deadline far beyond that, yet far short of the hour it started with.
    const deadline = Date.now() + 5000;
    while (agent.queue.length < before + 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(agent.queue.length >= before + 3, `${String(agent.queue.length)} queued`);
    await connection.dump({ quantumSeconds: 3600 });
    connection.close();
  });

  it('serves the latest sample as Prometheus text', async () => {
    const text = await (
      await fetch(`http://127.0.0.1:${String(agent.metricsPort)}/metrics`)
    ).text();
    assert.match(text, /^# TYPE node_cpu_seconds_total counter$/m);
    assert.match(text, /^node_cpu_seconds_total\{mode="user"\} 1904.27$/m);
    assert.match(text, /^node_load1 0.5$/m);
    assert.match(text, /^node_filesystem_avail_bytes\{mountpoint="\/",fstype="ext4"\} 30$/m);
  });
});
