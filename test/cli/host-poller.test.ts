/**
 * The poller end to end: `orzo serve` with `poller.enabled` dumping three real `orzo agent`
 * processes on loopback addresses of their own (127.0.0.2, .3 and .4) that read a fixture tree;
 * hosts added with `orzo host add` while it runs. Their figures read back through the API as
 * metrics of each host's resource and as its now view; a quantum set with `orzo host set`
 * applies without a restart; a stopped agent shows as down (`agent_up` 0, the status), and its
 * samples resume when it is back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { request } from '../support/aggregate-workload.ts';
import {
  freePort,
  launchListener,
  runOrzo,
  startOrzo,
  type MetricdChild,
  type OrzoProcess,
} from '../support/orzo-process.ts';
import { PROC_FIXTURE } from '../support/proc-fixture.ts';
import { waitUntil } from '../support/wait-until.ts';

const SECRET = 'the-poller-test-shared-secret';

const HOSTS = [
  ['web-2', '127.0.0.2'],
  ['web-3', '127.0.0.3'],
  ['web-4', '127.0.0.4'],
] as const;

interface ResourceJson {
  readonly metrics: Record<string, string>;
}

describe('the host poller of orzo serve', () => {
  let orzo: OrzoProcess;
  const agents = new Map<string, MetricdChild>();
  const ports = new Map<string, number>();
  let agentDir: string;

  const startAgent = async (name: string, address: string): Promise<void> => {
    const port = ports.get(name) ?? (await freePort());
    ports.set(name, port);
    agents.set(
      name,
      await launchListener('agent', {
        dataDir: agentDir,
        env: {
          ORZO_AGENT_HOST: address,
          ORZO_AGENT_PORT: String(port),
          ORZO_AGENT_SECRET: SECRET,
          ORZO_AGENT_PROC_ROOT: PROC_FIXTURE,
          ORZO_AGENT_HOSTNAME: name,
          ORZO_AGENT_QUANTUM_SECONDS: '1',
        },
      }),
    );
  };

  before(async () => {
    agentDir = mkdtempSync(join(tmpdir(), 'orzo-agents-'));
    for (const [name, address] of HOSTS) await startAgent(name, address);
    orzo = await startOrzo('serve', [], {
      env: {
        ORZO_POLLER_ENABLED: 'true',
        ORZO_POLLER_SECRET: SECRET,
        ORZO_POLLER_QUANTUM_SECONDS: '1',
        ORZO_POLLER_TIMEOUT_SECONDS: '2',
        ORZO_METRICD_TICK_SECONDS: '0.2',
      },
    });
    for (const [name, address] of HOSTS) {
      const added = runOrzo([
        'host',
        'add',
        name,
        `${address}:${String(ports.get(name))}`,
        '--data-dir',
        orzo.dataDir,
      ]);
      assert.match(added, new RegExp(`host ${name} added`));
    }
  });
  after(async () => {
    for (const agent of agents.values()) await agent.stop();
    await orzo.stop();
    rmSync(agentDir, { recursive: true, force: true });
  });

  const values = async (host: string, metric: string): Promise<number[]> => {
    const resource = (await request(orzo.url, 'GET', `/v1/resource/host/${host}`)) as ResourceJson;
    const id = resource.metrics[metric];
    if (id === undefined) return [];
    const points = (await request(
      orzo.url,
      'GET',
      `/v1/metric/${id}/measures?aggregation=last&granularity=15&refresh=true`,
    )) as [string, number, number][];
    return points.map(([, , value]) => value);
  };
  const until = (what: string, check: () => Promise<boolean>): Promise<void> =>
    waitUntil(what, check, { context: () => orzo.output().slice(-2000) });

  it("stores every host's figures under its resource", async () => {
    for (const [host] of HOSTS) {
      await until(`${host}'s load`, async () => (await values(host, 'node_load1')).length > 0);
      assert.deepEqual([...new Set(await values(host, 'node_load1'))], [0.5]);
      assert.deepEqual(
        [...new Set(await values(host, 'node_cpu_seconds_total@mode=user'))],
        [1904.27],
      );
      assert.ok((await values(host, 'agent_up')).every((value) => value === 1));
    }
    const hosts = runOrzo(['host', 'list', '--data-dir', orzo.dataDir]);
    assert.match(hosts, /^web-2\t127\.0\.0\.2:\d+\t/m);
    assert.match(hosts, /^web-3\t127\.0\.0\.3:\d+\t/m);
    assert.match(hosts, /^web-4\t127\.0\.0\.4:\d+\t/m);
  });

  it("serves each host's newest sample as its now view", async () => {
    const now = (await request(orzo.url, 'GET', '/v1/host/web-4/now')) as {
      up: boolean;
      address: string;
      figures: Record<string, number>;
    };
    assert.equal(now.up, true);
    assert.match(now.address, /^127\.0\.0\.4:/);
    assert.equal(now.figures.node_load1, 0.5);
    assert.equal(now.figures['node_cpu_seconds_total@mode=user'], 1904.27);
    // NOTE: the fixture does not change, so every counter's rate is 0.
    assert.equal(now.figures['node_cpu_seconds_total:rate@mode=user'], 0);
  });

  it('applies a quantum set with `orzo host set` without a restart', async () => {
    const set = runOrzo(['host', 'set', 'web-4', 'quantum=2', '--data-dir', orzo.dataDir]);
    assert.match(set, /host web-4 at 127\.0\.0\.4:\d+, quantum 2 s/);
    await until('web-4 dumped every 2 s', async () => {
      const now = (await request(orzo.url, 'GET', '/v1/host/web-4/now')) as {
        quantum_seconds: number;
      };
      return now.quantum_seconds === 2;
    });
    assert.match(runOrzo(['host', 'list', '--data-dir', orzo.dataDir]), /^web-4\t.*\t2$/m);
  });

  it('shows a stopped agent as down, and takes up its samples again when it is back', async () => {
    await agents.get('web-3')?.stop();
    await until('web-3 down in the status', async () => {
      const status = JSON.stringify(await request(orzo.url, 'GET', '/v1/status'));
      return /"web-3":\{[^}]*"up":false/.test(status);
    });
    await until('agent_up 0 for web-3', async () =>
      (await values('web-3', 'agent_up')).includes(0),
    );
    await startAgent('web-3', '127.0.0.3');
    await until('web-3 up again', async () => {
      const status = JSON.stringify(await request(orzo.url, 'GET', '/v1/status'));
      return /"web-3":\{[^}]*"up":true/.test(status);
    });
  });
});
