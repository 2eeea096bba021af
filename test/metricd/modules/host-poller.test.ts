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
import type { Incoming, MeasureBatch } from '../../../src/ingest/index.ts';
import {
  addHost,
  figureMetricName,
  hostResourceId,
  HostPoller,
  parseAgentAddress,
} from '../../../src/metricd/index.ts';
import { startApi, type TestApi } from '../../api/harness.ts';
import { PROC_FIXTURE } from '../../support/proc-fixture.ts';
import { warningLogger } from '../../support/warning-logger.ts';

const SECRET = 'an-in-process-poller-secret';

/** One host polled in process: its agent, the poller, and what waits in incoming. */
interface PolledHost {
  readonly api: TestApi;
  readonly agent: RunningAgent;
  readonly poller: HostPoller;
  /** The measures waiting for one of the host's metrics, as [µs, value]. */
  readonly pending: (metric: string) => Promise<[number, number][]>;
  close(): Promise<void>;
}

/** Starts an API's backends, an agent on `procRoot`, and a poller of that one host. */
async function pollOneHost(
  name: string,
  procRoot: string,
  incomingOf: (api: TestApi) => Pick<Incoming, 'enqueueBatches'> = (api) => api.incoming,
): Promise<PolledHost> {
  const { logger } = warningLogger();
  const api = await startApi();
  const agent = await startAgent({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    hostname: name,
    procRoot,
    quantumSeconds: 3600,
    maxSamples: 100,
    maxBytes: 10_000_000,
    logger,
    readSpace: () => Promise.resolve({ sizeBytes: 100, freeBytes: 40, availBytes: 30 }),
  });
  const poller = new HostPoller({
    indexer: api.indexer,
    incoming: incomingOf(api),
    logger,
    secret: SECRET,
    quantumSeconds: 3600,
    timeoutMs: 5000,
    defaultAggregationMethods: ['mean'],
  });
  await poller.start();
  await addHost(api.indexer, name, `127.0.0.1:${String(agent.port)}`, Date.now() * 1000);
  return {
    api,
    agent,
    poller,
    pending: async (metric) => {
      const resource = await api.indexer.getResource('host', hostResourceId(name));
      const id = resource?.metrics[metric];
      if (id === undefined) return [];
      const { measures } = await api.incoming.readPending(id);
      return [...measures.timestamps].map((time, index) => [time, measures.values[index] ?? NaN]);
    },
    close: async () => {
      await poller.stop();
      await agent.close();
      await api.close();
    },
  };
}

describe('HostPoller', () => {
  let host: PolledHost;
  let failNextStore = false;

  before(async () => {
    host = await pollOneHost('db-1', PROC_FIXTURE, (api) => ({
      enqueueBatches: (batches: ReadonlyMap<string, MeasureBatch>) => {
        if (failNextStore) {
          failNextStore = false;
          return Promise.reject(new Error('incoming is down'));
        }
        return api.incoming.enqueueBatches(batches);
      },
    }));
  });
  after(() => host.close());

  const stored = async (metric: string): Promise<number> => (await host.pending(metric)).length;

  it('acknowledges only what it stored: a failed store sends the samples again, once', async () => {
    const { agent, poller } = host;
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
    const polled = status.hosts['db-1'];
    assert.ok(polled);
    assert.equal(polled.up, true);
    assert.equal(polled.samples_stored, 3);
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
  let host: PolledHost;
  let procRoot: string;

  before(async () => {
    procRoot = mkdtempSync(join(tmpdir(), 'orzo-proc-'));
    cpSync(PROC_FIXTURE, procRoot, { recursive: true });
    host = await pollOneHost('db-2', procRoot);
  });
  after(async () => {
    await host.close();
    rmSync(procRoot, { recursive: true, force: true });
  });

  it('stores per-second rates of counters, counting a reset from zero', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // NOTE: the host rebooted: CPU user time is back to 1000 s (100,000 ticks) from 1904.27 s.
    const stat = join(procRoot, 'stat');
    writeFileSync(stat, readFileSync(stat, 'utf8').replace(/^cpu {2}190427 /m, 'cpu  100000 '));
    const { agent, poller, pending } = host;
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
