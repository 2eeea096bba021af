/**
 * The poller in process, against a real agent on a fixture tree and a real indexer and incoming
 * store: samples are acknowledged only once stored, so a failed store sends them again and each
 * is stored once; names and addresses read as documented.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startAgent, type RunningAgent } from '../../../src/agent/host-agent.ts';
import type { MeasureBatch } from '../../../src/ingest/index.ts';
import {
  addHost,
  ensureHostSchema,
  figureMetricName,
  hostResourceId,
  HostPoller,
  parseAgentAddress,
} from '../../../src/metricd/index.ts';
import { startApi, type TestApi } from '../../api/harness.ts';
import { PROC_FIXTURE } from '../../support/proc-fixture.ts';
import { warningLogger } from '../../support/warning-logger.ts';

const SECRET = 'an-in-process-poller-secret';

describe('HostPoller', () => {
  let api: TestApi;
  let agent: RunningAgent;
  let failNextStore = false;
  let poller: HostPoller;
  const { logger } = warningLogger();

  before(async () => {
    api = await startApi();
    agent = await startAgent({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      hostname: 'db-1',
      procRoot: PROC_FIXTURE,
      quantumSeconds: 3600,
      maxSamples: 100,
      maxBytes: 10_000_000,
      logger,
      readSpace: () => Promise.resolve({ sizeBytes: 100, freeBytes: 40, availBytes: 30 }),
    });
    poller = new HostPoller({
      indexer: api.indexer,
      incoming: {
        enqueueBatches: (batches: ReadonlyMap<string, MeasureBatch>) => {
          if (failNextStore) {
            failNextStore = false;
            return Promise.reject(new Error('incoming is down'));
          }
          return api.incoming.enqueueBatches(batches);
        },
      },
      logger,
      secret: SECRET,
      quantumSeconds: 3600,
      timeoutMs: 5000,
      defaultAggregationMethods: ['mean', 'min', 'max', 'sum', 'std', 'count'],
    });
    await poller.start();
    await ensureHostSchema(api.indexer, ['mean']);
    await addHost(api.indexer, 'db-1', `127.0.0.1:${String(agent.port)}`, Date.now() * 1000);
  });
  after(async () => {
    await poller.stop();
    await agent.close();
    await api.close();
  });

  const stored = async (metric: string): Promise<number> => {
    const resource = await api.indexer.getResource('host', hostResourceId('db-1'));
    const id = resource?.metrics[metric];
    if (id === undefined) return 0;
    return (await api.incoming.readPending(id)).measures.values.length;
  };

  it('acknowledges only what it stored: a failed store sends the samples again, once', async () => {
    await agent.sample();
    assert.equal(agent.queue.length, 2);
    failNextStore = true;
    await poller.tick(Date.now());
    assert.equal(agent.queue.length, 2, 'nothing acknowledged');
    assert.equal(await stored('node_load1'), 0);
    await poller.tick(Date.now());
    assert.equal(agent.queue.length, 0);
    assert.equal(await stored('node_load1'), 2);
    assert.equal(await stored('node_cpu_seconds_total@mode=idle'), 2);
    await agent.sample();
    await poller.tick(Date.now());
    assert.equal(await stored('node_load1'), 3);
    // NOTE: agent_up is the poller's own point, written with each quantum's samples: the agent's
    // samples came again after the failed store, that quantum's up point did not.
    assert.equal(await stored('agent_up'), 2);
    const status = poller.status() as {
      hosts: Partial<Record<string, { up: boolean; samples_stored: number }>>;
    };
    const host = status.hosts['db-1'];
    assert.ok(host);
    assert.equal(host.up, true);
    assert.equal(host.samples_stored, 3);
  });

  it('names metrics by figure and labels, and reads agent addresses', () => {
    assert.equal(figureMetricName('node_load1', {}), 'node_load1');
    assert.equal(
      figureMetricName('node_filesystem_size_bytes', { mountpoint: '/var/lib', fstype: 'ext4' }),
      'node_filesystem_size_bytes@fstype=ext4,mountpoint=_var_lib',
    );
    assert.deepEqual(parseAgentAddress('10.0.0.5:8650'), { host: '10.0.0.5', port: 8650 });
    assert.deepEqual(parseAgentAddress('[::1]:8650'), { host: '::1', port: 8650 });
    assert.equal(parseAgentAddress('10.0.0.5'), undefined);
    assert.equal(parseAgentAddress('h:70000'), undefined);
  });
});

describe('HostPoller rates', () => {
  let api: TestApi;
  let agent: RunningAgent;
  let poller: HostPoller;
  let procRoot: string;
  const { logger } = warningLogger();

  before(async () => {
    procRoot = mkdtempSync(join(tmpdir(), 'orzo-proc-'));
    cpSync(PROC_FIXTURE, procRoot, { recursive: true });
    api = await startApi();
    agent = await startAgent({
      host: '127.0.0.1',
      port: 0,
      secret: SECRET,
      hostname: 'db-2',
      procRoot,
      quantumSeconds: 3600,
      maxSamples: 100,
      maxBytes: 10_000_000,
      logger,
      readSpace: () => Promise.resolve({ sizeBytes: 100, freeBytes: 40, availBytes: 30 }),
    });
    poller = new HostPoller({
      indexer: api.indexer,
      incoming: api.incoming,
      logger,
      secret: SECRET,
      quantumSeconds: 3600,
      timeoutMs: 5000,
      defaultAggregationMethods: ['mean'],
    });
    await poller.start();
    await addHost(api.indexer, 'db-2', `127.0.0.1:${String(agent.port)}`, Date.now() * 1000);
  });
  after(async () => {
    await poller.stop();
    await agent.close();
    await api.close();
    rmSync(procRoot, { recursive: true, force: true });
  });

  const pending = async (metric: string): Promise<[number, number][]> => {
    const resource = await api.indexer.getResource('host', hostResourceId('db-2'));
    const id = resource?.metrics[metric];
    if (id === undefined) return [];
    const { measures } = await api.incoming.readPending(id);
    return [...measures.timestamps].map((time, index) => [time, measures.values[index] ?? NaN]);
  };

  it('stores per-second rates of counters, counting a reset from zero', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // NOTE: the host rebooted: CPU user time is back to 1000 s (100,000 ticks) from 1904.27 s.
    const stat = join(procRoot, 'stat');
    writeFileSync(stat, readFileSync(stat, 'utf8').replace(/^cpu {2}190427 /m, 'cpu  100000 '));
    await agent.sample();
    await poller.tick(Date.now());
    const raw = await pending('node_cpu_seconds_total@mode=user');
    assert.deepEqual(
      raw.map(([, value]) => value),
      [1904.27, 1000],
    );
    const [first, second] = raw.map(([time]) => time);
    const seconds = ((second ?? 0) - (first ?? 0)) / 1e6;
    const rates = await pending('node_cpu_seconds_total:rate@mode=user');
    assert.equal(rates.length, 1);
    assert.equal(rates[0]?.[0], second);
    assert.ok(Math.abs((rates[0]?.[1] ?? 0) - 1000 / seconds) < 1e-6 * (1000 / seconds));
    // NOTE: an unchanged counter's rate is 0; a gauge has none.
    assert.deepEqual(
      (await pending('node_network_receive_bytes_total:rate@device=eth0')).map(
        ([, value]) => value,
      ),
      [0],
    );
    assert.deepEqual(await pending('node_load1:rate'), []);
  });
});
