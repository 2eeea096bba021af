/**
 * `orzo agent`: the host agent on its own, sampling this host and answering its poller until
 * SIGTERM or SIGINT. It needs no backend: it only reads `/proc` and listens.
 */
import { hostname } from 'node:os';

import { pino } from 'pino';

import { startAgent } from '../agent/host-agent.ts';
import type { EngineConfig } from '../config/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import { onShutdownSignal } from './shutdown.ts';

/** Runs the agent and resolves once it has been stopped. */
export async function runAgent(config: EngineConfig): Promise<void> {
  const settings = config.agent;
  if (settings.secret === undefined) {
    throw new ConfigError(
      'the agent needs agent.secret (ORZO_AGENT_SECRET, 16 characters or more): its poller signs every request with it',
      { path: '/agent/secret' },
    );
  }
  const logger = pino({ name: 'agent', level: config.log.level });
  const agent = await startAgent({
    ...settings,
    secret: settings.secret,
    hostname: settings.hostname ?? hostname(),
    logger,
  });
  await new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await agent.close();
      resolve();
    });
  });
}
