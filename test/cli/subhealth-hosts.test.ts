/**
 * Sub-health detection of agent hosts, end to end: `orzo serve` polling four real `orzo agent`
 * processes (127.0.0.2 to .5), each reading a `/proc` tree of its own that the test moves on four
 * times a second, as a kernel would. One host is merely busy (five times the CPU, disk and network
 * of the others, and more blocked processes and I/O pressure with it); it is never flagged. Then
 * another degrades (blocked processes, I/O pressure and iowait with little work done): it alone
 * is flagged, after `consecutive` checks, and the findings name its host.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { request } from '../support/aggregate-workload.ts';
import {
  freePort,
  launchListener,
  runOrzo,
  runOrzoAsync,
  startOrzo,
  type MetricdChild,
  type OrzoProcess,
} from '../support/orzo-process.ts';
import { PROC_FIXTURE } from '../support/proc-fixture.ts';
import { subhealthGroupStatus } from '../support/subhealth-status.ts';
import { waitUntil } from '../support/wait-until.ts';

const SECRET = 'the-sub-health-hosts-test-secret';
const GROUP = 'agent_hosts';
const INTERVAL = 2;

/** What a host does per second. */
interface Pace {
  /** CPU seconds in user mode, iowait seconds. */
  readonly user: number;
  readonly iowait: number;
  readonly blocked: number;
  /** I/O pressure: seconds some task waited. */
  readonly ioPressure: number;
  /** Disk bytes written, network bytes received. */
  readonly disk: number;
  readonly net: number;
}

const NORMAL: Pace = { user: 0.5, iowait: 0.05, blocked: 0, ioPressure: 0.05, disk: 5e6, net: 5e6 };
const BUSY: Pace = { user: 5, iowait: 0.3, blocked: 4, ioPressure: 0.3, disk: 60e6, net: 30e6 };
const DEGRADED: Pace = { user: 0.5, iowait: 0.8, blocked: 6, ioPressure: 0.9, disk: 2e6, net: 1e6 };

/** A host's `/proc` tree and its counters, moved on by {@link advance}. */
class ProcTree {
  readonly root: string;
  pace: Pace = NORMAL;
  #at = Date.now();
  readonly #totals = {
    user: 190_427,
    iowait: 11_634,
    ioPressure: 2_500_000,
    disk: 128_000,
    net: 5000,
  };

  constructor(base: string, name: string) {
    this.root = join(base, name);
    cpSync(PROC_FIXTURE, this.root, { recursive: true });
    this.advance();
  }

  /** Adds what the pace did since the last call, and writes the files (each replaced whole). */
  advance(): void {
    const now = Date.now();
    const seconds = (now - this.#at) / 1000;
    this.#at = now;
    const totals = this.#totals;
    totals.user += Math.round(this.pace.user * 100 * seconds);
    totals.iowait += Math.round(this.pace.iowait * 100 * seconds);
    totals.ioPressure += Math.round(this.pace.ioPressure * 1e6 * seconds);
    totals.disk += Math.round((this.pace.disk / 512) * seconds);
    totals.net += Math.round(this.pace.net * seconds);
    this.#write(
      'stat',
      `cpu  ${String(totals.user)} 0 41214 402885 ${String(totals.iowait)} 5 3461 82 0 0\n` +
        `procs_running 1\nprocs_blocked ${String(this.pace.blocked)}\n`,
    );
    this.#write(
      'pressure/io',
      `some avg10=0 avg60=0 avg300=0 total=${String(totals.ioPressure)}\n` +
        `full avg10=0 avg60=0 avg300=0 total=${String(Math.round(totals.ioPressure / 2))}\n`,
    );
    this.#write(
      'diskstats',
      `   8       0 sda 1000 20 64000 500 2000 30 ${String(totals.disk)} 900 0 1500 1400 0 0 0 0 0 0\n`,
    );
    this.#write(
      'net/dev',
      'Inter-|   Receive                                                |  Transmit\n' +
        ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
        `  eth0: ${String(totals.net)} 98765 0 0 0 0 0 0 1000 56789 0 0 0 0 0 0\n`,
    );
  }

  #write(file: string, text: string): void {
    const path = join(this.root, file);
    writeFileSync(`${path}.new`, text);
    renameSync(`${path}.new`, path);
  }
}

const HOSTS = ['db-1', 'db-2', 'db-3', 'db-4'] as const;

describe('sub-health of the agent hosts of orzo serve', () => {
  let orzo: OrzoProcess;
  let base: string;
  const trees = new Map<string, ProcTree>();
  const agents: MetricdChild[] = [];
  let moving: NodeJS.Timeout | undefined;

  const timeline = async (
    start: number,
  ): Promise<{ check_time: string; slow_instances: number }[]> =>
    (
      (await request(
        orzo.url,
        'GET',
        `/v1/subhealth/timeline?group=${GROUP}&start=${String(start / 1000)}`,
      )) as { timeline: { check_time: string; slow_instances: number }[] }
    ).timeline;
  const groupStatus = (): Promise<Record<string, unknown> | undefined> =>
    subhealthGroupStatus(orzo.url, GROUP);
  const until = (what: string, check: () => Promise<boolean>): Promise<void> =>
    waitUntil(what, check, {
      timeoutMs: 90_000,
      retryFailed: true,
      context: () => orzo.output().slice(-3000),
    });

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'orzo-subhealth-procs-'));
    for (const name of HOSTS) trees.set(name, new ProcTree(base, name));
    moving = setInterval(() => {
      for (const tree of trees.values()) tree.advance();
    }, 250);
    orzo = await startOrzo('serve', [], {
      env: {
        ORZO_POLLER_ENABLED: 'true',
        ORZO_POLLER_SECRET: SECRET,
        ORZO_POLLER_QUANTUM_SECONDS: '1',
        ORZO_POLLER_ARCHIVE_POLICY: 'second',
        ORZO_METRICD_TICK_SECONDS: '0.2',
      },
    });
    await request(orzo.url, 'POST', '/v1/archive_policy', {
      name: 'second',
      aggregation_methods: ['mean', 'last'],
      definition: [{ granularity: '1 second', timespan: '1 hour' }],
    });
    // NOTE: the agents start side by side: each loads TypeScript, seconds under a full test run.
    await Promise.all(
      HOSTS.map(async (name, index) => {
        const address = `127.0.0.${String(index + 2)}`;
        const port = await freePort();
        agents.push(
          await launchListener('agent', {
            dataDir: base,
            env: {
              ORZO_AGENT_HOST: address,
              ORZO_AGENT_PORT: String(port),
              ORZO_AGENT_SECRET: SECRET,
              ORZO_AGENT_PROC_ROOT: trees.get(name)?.root ?? '',
              ORZO_AGENT_HOSTNAME: name,
              ORZO_AGENT_QUANTUM_SECONDS: '1',
            },
          }),
        );
        await runOrzoAsync([
          'host',
          'add',
          name,
          `${address}:${String(port)}`,
          '--data-dir',
          orzo.dataDir,
        ]);
      }),
    );
  });
  after(async () => {
    clearInterval(moving);
    for (const agent of agents) await agent.stop();
    await orzo.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('never flags a host that is merely busy', async () => {
    const busy = trees.get('db-2');
    assert.ok(busy);
    busy.pace = BUSY;
    const enabledAt = Date.now();
    runOrzo([
      'subhealth',
      'set',
      GROUP,
      'enabled=true',
      `intervalSeconds=${String(INTERVAL)}`,
      // NOTE: 1 s points, polled each second and processed within a tick or two of 0.2 s.
      'settleSeconds=2',
      '--data-dir',
      orzo.dataDir,
    ]);
    // NOTE: six checks with all four hosts' figures in their window; the busy one is the top
    // waiter, by far, but its waits are what its share of the work explains.
    let checksOfFour = Infinity;
    await until('six checks of four hosts', async () => {
      const status = await groupStatus();
      if (status?.instances !== 4) return false;
      checksOfFour = Math.min(checksOfFour, Number(status.checks));
      return Number(status.checks) >= checksOfFour + 5;
    });
    assert.deepEqual(await timeline(enabledAt), []);
  });

  it('flags the degraded host alone, after consecutive checks, naming its host', async () => {
    const degraded = trees.get('db-3');
    assert.ok(degraded);
    const degradedAt = Date.now();
    degraded.pace = DEGRADED;
    await until('a finding', async () => (await timeline(degradedAt)).length > 0);
    const [first] = await timeline(degradedAt);
    assert.ok(first);
    // NOTE: three suspect checks in a row; the first may see the change in part of its window.
    assert.ok(Date.parse(first.check_time) > degradedAt + 2 * INTERVAL * 1000, first.check_time);
    const { findings } = (await request(
      orzo.url,
      'GET',
      `/v1/subhealth/findings?group=${GROUP}&check_time=${encodeURIComponent(first.check_time)}`,
    )) as {
      findings: { instance_name: string; host_name: string; top_waits: Record<string, number> }[];
    };
    assert.deepEqual(
      findings.map((finding) => [finding.instance_name, finding.host_name]),
      [['db-3', 'db-3']],
    );
    assert.deepEqual(Object.keys(findings[0]?.top_waits ?? {})[0], 'procs_blocked');
    // NOTE: the status is published each reporter tick, so it may show the check before.
    await until(
      'the status to show it',
      async () => Number((await groupStatus())?.slow_instances) >= 1,
    );
  });
});
