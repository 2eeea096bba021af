/**
 * `orzo serve` (= `npm start`): everything on one machine. Upgrades the embedded backends (a no-op
 * when they are current), then runs the API and metricd with its workers in one command, so that
 * measures posted are readable as aggregates seconds later; with `statsd.enabled` or
 * `graphite.enabled`, their listeners too.
 */
import { pino } from 'pino';

import { assertAuthSettings } from '../api/auth/create-authenticator.ts';
import { assertProtectedListen } from '../api/protected-mode.ts';
import type { EngineConfig } from '../config/index.ts';
import { createFeederRegistry } from '../api/feeders/index.ts';
import { buildEngineApp } from './api.ts';
import { startEnabledFeeders } from './feeders.ts';
import { openEngineServices } from './engine-services.ts';
import { startMetricd } from './metricd.ts';
import { onShutdownSignal } from './shutdown.ts';
import { runUpgrade } from './upgrade.ts';

/** Runs the API and metricd together and resolves once both have been shut down. */
export async function runServe(
  config: EngineConfig,
  options: { readonly skipArchivePoliciesCreation: boolean },
): Promise<void> {
  assertProtectedListen(config.api);
  assertAuthSettings(config.api);
  const logger = pino({ level: config.log.level });
  const flags = {
    ...NO_SKIPS,
    ...options,
    defaultPolicies: 'when-created',
    adminPassword: process.env.ORZO_ADMIN_PASSWORD,
  } as const;
  for (const line of await runUpgrade(config, flags)) logger.info(line);
  const services = openEngineServices(config, logger);
  const registry = createFeederRegistry({ processFigures: false });
  const app = buildEngineApp(config, services, registry);
  // NOTE: listen first, so that a port in use stops the command before any worker is started.
  try {
    await app.listen({ host: config.api.host, port: config.api.port });
  } catch (error) {
    await app.close();
    await services.close();
    throw error;
  }
  let feeders;
  try {
    feeders = await startEnabledFeeders(config, services, logger, registry);
  } catch (error) {
    await app.close();
    await services.close();
    throw error;
  }
  const metricd = await startMetricd(config, services, logger.child({ name: 'metricd' }));
  const closed = new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await Promise.all(feeders.map((feeder) => feeder.close()));
      await app.close();
      await metricd.stop();
      await services.close();
      resolve();
    });
  });
  await closed;
}

const NO_SKIPS = {
  skipArchivePoliciesCreation: false,
  skipIndex: false,
  skipIncoming: false,
  skipStorage: false,
} as const;
