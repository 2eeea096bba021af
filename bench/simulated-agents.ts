/**
 * Many host agents in one process, for the poller's figures in `bench:agent`: `--count` real
 * agents (the agent's own code, on sockets of their own) reading the test fixture tree instead
 * of `/proc`. Prints their ports as one JSON line, then runs until SIGTERM.
 */
import { parseArgs } from 'node:util';

import { startAgent, type RunningAgent } from '../src/agent/host-agent.ts';
import { PROC_FIXTURE } from '../test/support/proc-fixture.ts';

const { values: flags } = parseArgs({
  options: {
    count: { type: 'string', default: '500' },
    secret: { type: 'string', default: 'bench-agent-secret-0123456789' },
    quantum: { type: 'string', default: '15' },
  },
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const agents: RunningAgent[] = [];
for (let i = 0; i < Number(flags.count); i++) {
  agents.push(
    await startAgent({
      host: '127.0.0.1',
      port: 0,
      secret: flags.secret,
      hostname: `sim-${String(i)}`,
      procRoot: PROC_FIXTURE,
      quantumSeconds: Number(flags.quantum),
      maxSamples: 1000,
      maxBytes: 10_000_000,
      logger: quiet,
      readSpace: () => Promise.resolve({ sizeBytes: 100e9, freeBytes: 40e9, availBytes: 35e9 }),
    }),
  );
}
console.log(JSON.stringify({ ports: agents.map((agent) => agent.port) }));
process.once('SIGTERM', () => {
  void Promise.all(agents.map((agent) => agent.close())).then(() => process.exit(0));
});
