/**
 * `npm run bench:agent`: what the host agent costs its host. For each quantum of `--quanta`
 * (seconds), `orzo agent` runs on this machine's real `/proc` for `--seconds`, its process's CPU
 * (user + system, from `/proc`) read after a settling second, then its RSS and peak RSS (the
 * peak is when the TypeScript sources are loaded); a poller's dump
 * of one sample and of everything queued gives the bytes a dump carries.
 *
 * Then the poller's side: `--hosts` simulated agents (`simulated-agents.ts`, the agent's code on
 * the fixture tree, in a process of their own) added as hosts of an embedded deployment in this
 * process, and the poller run for `--rounds` quanta of `--poll-quantum` seconds: this process's
 * CPU and the wall time of each round (every dump written to incoming and acknowledged), the
 * first round apart, as it makes every host's metrics.
 *
 * Prints one JSON object. Options: `--quanta 1,15` `--seconds 60` `--hosts 500`
 * `--poll-quantum 5` `--rounds 6` (`--hosts 0` skips the poller), `--poller-incoming redis` to
 * write the measures to the test Redis (a key prefix of its own, removed after) instead of the
 * data folder.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { Redis } from 'ioredis';
import { pino } from 'pino';

import { AgentConnection } from '../src/agent/agent-client.ts';
import { encodeFrame } from '../src/agent/frames.ts';
import { openEngineServices } from '../src/cli/engine-services.ts';
import { resolveConfig } from '../src/config/index.ts';
import { addHost, HostPoller, hostResourceId, listHosts } from '../src/metricd/index.ts';
import { freePort, launchListener, runOrzo } from '../test/support/orzo-process.ts';
import { deleteKeys, SHARED_REDIS_URL } from '../test/support/redis.ts';
import { cpuSeconds, peakRssMiB, rssMiB } from './process-figures.ts';

const { values: flags } = parseArgs({
  options: {
    quanta: { type: 'string', default: '1,15' },
    seconds: { type: 'string', default: '60' },
    hosts: { type: 'string', default: '500' },
    'poll-quantum': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '6' },
    'poller-incoming': { type: 'string', default: 'file' },
  },
});
const QUANTA = flags.quanta.split(',').map(Number);
const SECONDS = Number(flags.seconds);
const SECRET = 'bench-agent-secret-0123456789';

const results = [];
for (const quantum of QUANTA) {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-bench-agent-'));
  const port = await freePort();
  const agent = await launchListener('agent', {
    dataDir,
    env: {
      ORZO_AGENT_PORT: String(port),
      ORZO_AGENT_SECRET: SECRET,
      ORZO_AGENT_QUANTUM_SECONDS: String(quantum),
    },
  });
  try {
    // NOTE: loading the code is not what the agent costs while it runs.
    await sleep(1000);
    const before = cpuSeconds(agent.pid);
    await sleep(SECONDS * 1000);
    const cpu = cpuSeconds(agent.pid) - before;
    const connection = await AgentConnection.open('127.0.0.1', port, SECRET, 5000);
    const one = await connection.dump({ max: 1 });
    const all = await connection.dump();
    connection.close();
    results.push({
      quantum_s: quantum,
      run_s: SECONDS,
      samples: all.samples.length,
      figures_per_sample: one.samples[0]?.figures.length ?? 0,
      cpu_percent_of_one_core: Math.round((cpu / SECONDS) * 100 * 1000) / 1000,
      cpu_ms_per_sample: Math.round(((cpu * 1000) / Math.max(1, all.samples.length)) * 100) / 100,
      rss_mib: rssMiB(agent.pid),
      peak_rss_mib: peakRssMiB(agent.pid),
      bytes_per_sample_dumped: encodeFrame(one).length,
      bytes_of_dump_of_all: encodeFrame(all).length,
    });
  } finally {
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const poller = Number(flags.hosts) > 0 ? await measurePoller() : undefined;
console.log(JSON.stringify({ node: process.version, results, poller }, null, 2));

/** The poller's cost per host per quantum, with `--hosts` agents. */
async function measurePoller(): Promise<Record<string, unknown>> {
  const hosts = Number(flags.hosts);
  const quantum = Number(flags['poll-quantum']);
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-bench-poller-'));
  const agents = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'simulated-agents.ts'), '--count', String(hosts)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const [line] = (await once(createInterface({ input: agents.stdout }), 'line')) as [string];
    const { ports } = JSON.parse(line) as { ports: number[] };
    const prefix = `orzo-bench-poller-${String(process.pid)}:`;
    const incomingUrl =
      flags['poller-incoming'] === 'redis' ? `${SHARED_REDIS_URL}?prefix=${prefix}` : undefined;
    runOrzo([
      'upgrade',
      '--data-dir',
      dataDir,
      ...(incomingUrl ? ['--incoming', incomingUrl] : []),
    ]);
    cleanups.push(async () => {
      if (incomingUrl === undefined) return;
      const redis = new Redis(SHARED_REDIS_URL);
      await deleteKeys(redis, prefix);
      redis.disconnect();
    });
    const config = resolveConfig([{ dataDir, ...(incomingUrl ? { incomingUrl } : {}) }]);
    const services = openEngineServices(config, pino({ level: 'warn' }));
    const module = new HostPoller({
      indexer: services.indexer,
      incoming: services.incoming,
      logger: pino({ level: 'warn' }),
      secret: SECRET,
      quantumSeconds: quantum,
      timeoutMs: 10_000,
      deadAfterMs: 150_000,
      defaultAggregationMethods: config.archivePolicy.defaultAggregationMethods,
    });
    await module.start();
    const nowUs = Date.now() * 1000;
    for (const [i, port] of ports.entries()) {
      await addHost(services.indexer, `sim-${String(i)}`, `127.0.0.1:${String(port)}`, nowUs);
    }
    const rounds: { wallMs: number; cpuMs: number; up: number }[] = [];
    for (let round = 0; round < Number(flags.rounds); round++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await module.tick(Date.now());
      await module.idle();
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - started;
      const status = module.status() as { hosts: Record<string, { up: boolean }> };
      rounds.push({
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        up: Object.values(status.hosts).filter((host) => host.up).length,
      });
      await sleep(Math.max(0, quantum * 1000 - wallMs));
    }
    const steady = rounds.slice(1);
    const mean = (pick: (round: { wallMs: number; cpuMs: number }) => number): number =>
      steady.reduce((sum, round) => sum + pick(round), 0) / Math.max(1, steady.length);
    const metrics = (await services.indexer.getResource('host', hostResourceId('sim-0')))?.metrics;
    const listStarted = performance.now();
    await listHosts(services.indexer, Date.now() * 1000);
    const listHostsMs = performance.now() - listStarted;
    await module.stop();
    await services.close();
    const round2 = (value: number): number => Math.round(value * 100) / 100;
    return {
      hosts,
      incoming: flags['poller-incoming'],
      quantum_s: quantum,
      metrics_per_host: Object.keys(metrics ?? {}).length,
      hosts_up_last_round: rounds.at(-1)?.up,
      first_round: {
        wall_ms: round2(rounds[0]?.wallMs ?? 0),
        cpu_ms: round2(rounds[0]?.cpuMs ?? 0),
      },
      list_hosts_ms: round2(listHostsMs),
      steady_rounds: steady.length,
      steady_wall_ms_per_round: round2(mean((round) => round.wallMs)),
      steady_cpu_ms_per_round: round2(mean((round) => round.cpuMs)),
      cpu_ms_per_host_per_quantum: round2(mean((round) => round.cpuMs) / hosts),
      cpu_percent_of_one_core_at_quantum: round2(
        (mean((round) => round.cpuMs) / (quantum * 1000)) * 100,
      ),
    };
  } finally {
    agents.kill('SIGTERM');
    await once(agents, 'close');
    for (const cleanup of cleanups) await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
