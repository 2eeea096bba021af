/**
 * The poller in process, against a real agent on a fixture tree and a real indexer and incoming
 * store, on its own clock: samples are acknowledged only once stored, so a failed store sends
 * them again and each is stored once; the now view follows each dump; a host's quantum and
 * address apply at the next tick; an agent that stops answering is tried again with back-off,
 * declared dead once, and picked up again; names and addresses read as documented.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startAgent, type RunningAgent } from '../../../src/agent/host-agent.ts';
import { FileHostNowBoard } from '../../../src/coordination/index.ts';
import type { Incoming, MeasureBatch } from '../../../src/ingest/index.ts';
import {
  addHost,
  figureMetricName,
  hostResourceId,
  HostPoller,
  parseAgentAddress,
  removeHost,
  setHost,
} from '../../../src/metricd/index.ts';
import { ADMIN, startApi, type TestApi } from '../../api/harness.ts';
import { startCuttingProxy, type CuttingProxy } from '../../support/cutting-proxy.ts';
import { PROC_FIXTURE } from '../../support/proc-fixture.ts';
import { warningLogger } from '../../support/warning-logger.ts';

const SECRET = 'an-in-process-poller-secret';

/** One host polled in process: its agent, the poller, and what waits in incoming. */
interface PolledHost {
  readonly api: TestApi;
  agent: RunningAgent;
  readonly poller: HostPoller;
  readonly nowBoard: FileHostNowBoard;
  readonly warnings: Record<string, unknown>[];
  /** The poller's clock, in ms; `poll` moves it on. */
  now: number;
  /** Moves the clock on by `ms` (a quantum by default), ticks, and waits for the dumps. */
  poll(ms?: number): Promise<void>;
  /** The measures waiting for one of the host's metrics, as [µs, value]. */
  readonly pending: (metric: string) => Promise<[number, number][]>;
  close(): Promise<void>;
}

/** The poller's quantum in these tests, in seconds; its clock moves by hand. */
const QUANTUM = 3600;

/** Silence before an agent is declared dead: four of the 60 s quanta a test gives its host. */
const DEAD_AFTER_MS = 240_000;

/** Starts an agent of `name` on `procRoot`; `port` 0 picks one. */
function agentOn(
  name: string,
  procRoot: string,
  { port = 0, maxSamples = 100 }: { port?: number; maxSamples?: number } = {},
): Promise<RunningAgent> {
  return startAgent({
    host: '127.0.0.1',
    port,
    secret: SECRET,
    hostname: name,
    procRoot,
    quantumSeconds: QUANTUM,
    maxSamples,
    maxBytes: 10_000_000,
    logger: warningLogger().logger,
    readSpace: () => Promise.resolve({ sizeBytes: 100, freeBytes: 40, availBytes: 30 }),
  });
}

/** Starts an API's backends, an agent on `procRoot`, and a poller of that one host. */
async function pollOneHost(
  name: string,
  procRoot: string,
  options: {
    incomingOf?: (api: TestApi) => Pick<Incoming, 'enqueueBatches'>;
    maxSamples?: number;
  } = {},
): Promise<PolledHost> {
  const { logger, warnings } = warningLogger();
  const api = await startApi();
  const agent = await agentOn(name, procRoot, { maxSamples: options.maxSamples ?? 100 });
  const incomingOf = options.incomingOf ?? ((started: TestApi) => started.incoming);
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-poller-'));
  const nowBoard = new FileHostNowBoard(dataDir);
  const poller = new HostPoller({
    indexer: api.indexer,
    incoming: incomingOf(api),
    logger,
    secret: SECRET,
    quantumSeconds: QUANTUM,
    timeoutMs: 5000,
    deadAfterMs: DEAD_AFTER_MS,
    nowBoard,
    defaultAggregationMethods: ['mean'],
  });
  await poller.start();
  await addHost(api.indexer, name, `127.0.0.1:${String(agent.port)}`, Date.now() * 1000);
  const polled: PolledHost = {
    api,
    agent,
    poller,
    nowBoard,
    warnings,
    now: Date.now(),
    poll: async (ms = QUANTUM * 1000) => {
      polled.now += ms;
      await poller.tick(polled.now);
      await poller.idle();
    },
    pending: async (metric) => {
      const resource = await api.indexer.getResource('host', hostResourceId(name));
      const id = resource?.metrics[metric];
      if (id === undefined) return [];
      const { measures } = await api.incoming.readPending(id);
      return [...measures.timestamps].map((time, index) => [time, measures.values[index] ?? NaN]);
    },
    close: async () => {
      await poller.stop();
      await polled.agent.close();
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return polled;
}

describe('HostPoller', () => {
  let host: PolledHost;
  let failNextStore = false;

  before(async () => {
    host = await pollOneHost('db-1', PROC_FIXTURE, {
      incomingOf: (api) => ({
        enqueueBatches: (batches: ReadonlyMap<string, MeasureBatch>) => {
          if (failNextStore) {
            failNextStore = false;
            return Promise.reject(new Error('incoming is down'));
          }
          return api.incoming.enqueueBatches(batches);
        },
      }),
    });
  });
  after(() => host.close());

  const stored = async (metric: string): Promise<number> => (await host.pending(metric)).length;

  it('acknowledges only what it stored: a failed store sends the samples again, once', async () => {
    const { agent, poller } = host;
    await agent.sample();
    assert.equal(agent.queue.length, 2);
    failNextStore = true;
    await host.poll();
    assert.equal(agent.queue.length, 2, 'nothing acknowledged');
    assert.equal(await stored('node_load1'), 0);
    await host.poll();
    assert.equal(agent.queue.length, 0);
    assert.equal(await stored('node_load1'), 2);
    assert.equal(await stored('node_cpu_seconds_total@mode=idle'), 2);
    await agent.sample();
    await host.poll();
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

/** The poller's status of one host. */
function hostStatus(poller: HostPoller, name: string): Record<string, unknown> | undefined {
  return (poller.status() as { hosts: Partial<Record<string, Record<string, unknown>>> }).hosts[
    name
  ];
}

describe('HostPoller schedule', () => {
  let host: PolledHost;

  before(async () => {
    host = await pollOneHost('web-1', PROC_FIXTURE);
  });
  after(() => host.close());

  it('keeps the newest sample of each dump as the host now view', async () => {
    await host.poll();
    const view = await host.nowBoard.read(hostResourceId('web-1'));
    assert.ok(view);
    assert.equal(view.host, 'web-1');
    assert.equal(view.up, true);
    assert.equal(view.quantumSeconds, QUANTUM);
    assert.equal(view.figures.node_load1, 0.5);
    assert.equal(view.figures.agent_up, 1);
    assert.match(view.sampledAt ?? '', /^\d{4}-\d\d-\d\dT/);
  });

  it("applies a host's own quantum at the next tick, counted from its last dump", async () => {
    const patched = await host.api.app.inject({
      method: 'PATCH',
      url: `/v1/resource/host/${hostResourceId('web-1')}`,
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      payload: { quantum: 60 },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    await host.agent.sample();
    await host.poll(59_000);
    assert.equal(host.agent.queue.length, 1, 'not due yet');
    await host.poll(1000);
    assert.equal(host.agent.queue.length, 0);
    assert.equal(hostStatus(host.poller, 'web-1')?.quantum_seconds, 60);
  });

  it('backs off from a silent agent, declares it dead once, and picks it up again', async () => {
    const up = async (): Promise<number[]> =>
      (await host.pending('agent_up')).map(([, value]) => value);
    const before = (await up()).length;
    const port = host.agent.port;
    await host.agent.close();
    const quantum = 60_000;
    const failures: unknown[] = [];
    for (let i = 1; i <= 8; i++) {
      if (i === 5) host.agent = await agentOn('web-1', PROC_FIXTURE, { port });
      await host.poll(quantum);
      failures.push(hostStatus(host.poller, 'web-1')?.failures);
    }
    // NOTE: tried after 1, 2 and then 4 quanta (the cap: dead after 4 quanta of silence);
    // back at the eighth, though it listened again from the fifth.
    assert.deepEqual(failures, [1, 2, 2, 3, 3, 3, 3, undefined]);
    const dead = host.warnings.filter((fields) => fields.address !== undefined);
    assert.equal(dead.length, 1, 'one warning');
    assert.equal(hostStatus(host.poller, 'web-1')?.state, 'up');
    // NOTE: one up point per quantum, whether the agent answered or not.
    assert.deepEqual((await up()).slice(before), [0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('forgets a removed host and its now view', async () => {
    await removeHost(host.api.indexer, 'web-1');
    await host.poll();
    assert.equal(await host.nowBoard.read(hostResourceId('web-1')), undefined);
    assert.equal(hostStatus(host.poller, 'web-1'), undefined);
  });
});

describe('HostPoller over a failing network', () => {
  let host: PolledHost;
  let proxy: CuttingProxy;

  before(async () => {
    host = await pollOneHost('web-5', PROC_FIXTURE, { maxSamples: 4 });
    proxy = await startCuttingProxy(host.agent.port);
    await setHost(host.api.indexer, 'web-5', { address: `127.0.0.1:${String(proxy.port)}` });
  });
  after(async () => {
    await host.close();
    await proxy.close();
  });

  const stored = async (): Promise<number> => (await host.pending('node_load1')).length;

  it('stores nothing of an answer cut mid-frame, and all of it at the next dump', async () => {
    await host.agent.sample();
    proxy.cutAnswerAfter(10);
    await host.poll();
    assert.equal(proxy.cuts, 1);
    assert.equal(await stored(), 0);
    assert.equal(host.agent.queue.length, 2, 'nothing acknowledged');
    assert.equal(hostStatus(host.poller, 'web-5')?.up, false);
    await host.poll();
    assert.equal(await stored(), 2);
    assert.equal(host.agent.queue.length, 0);
  });

  it('stores once the samples whose acknowledgement was lost', async () => {
    await host.agent.sample();
    await host.agent.sample();
    proxy.cutRequest(2);
    await host.poll();
    assert.equal(proxy.cuts, 2);
    assert.equal(await stored(), 4);
    assert.equal(host.agent.queue.length, 2, 'the acknowledgement was cut');
    await host.poll();
    assert.equal(host.agent.queue.length, 0);
    assert.equal(await stored(), 4, 'sent again, not stored again');
    assert.equal(hostStatus(host.poller, 'web-5')?.samples_stored, 4);
  });

  it('stores the newest samples of a full queue and says how many were dropped', async () => {
    for (let i = 0; i < 6; i++) await host.agent.sample();
    assert.equal(host.agent.queue.length, 4);
    await host.poll();
    assert.equal(await stored(), 8);
    assert.equal(hostStatus(host.poller, 'web-5')?.agent_dropped, 2);
    assert.equal((await host.nowBoard.read(hostResourceId('web-5')))?.agentDropped, 2);
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
    const { agent, pending } = host;
    await agent.sample();
    await host.poll();
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
