/**
 * `npm run bench:agent`: what the host agent costs its host. For each quantum of `--quanta`
 * (seconds), `orzo agent` runs on this machine's real `/proc` for `--seconds`, its process's CPU
 * (user + system, from `/proc`) read after a settling second, then its RSS and peak RSS (the
 * peak is when the TypeScript sources are loaded); a poller's dump
 * of one sample and of everything queued gives the bytes a dump carries. The poller's side is not
 * measured here yet.
 *
 * Prints one JSON object. Options: `--quanta 1,15` `--seconds 60`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { AgentConnection } from '../src/agent/agent-client.ts';
import { encodeFrame } from '../src/agent/frames.ts';
import { freePort, launchListener } from '../test/support/orzo-process.ts';
import { cpuSeconds, peakRssMiB, rssMiB } from './process-figures.ts';

const { values: flags } = parseArgs({
  options: {
    quanta: { type: 'string', default: '1,15' },
    seconds: { type: 'string', default: '60' },
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
console.log(JSON.stringify({ node: process.version, results }, null, 2));
