/**
 * `orzo api`: the HTTP API alone, listening until SIGTERM or SIGINT, then closing cleanly. It can
 * still process a metric on demand (`refresh=true`), under the same locks as metricd.
 */
import { pino } from 'pino';

import { buildApp, type OrzoApp } from '../api/index.ts';
import type { EngineConfig } from '../config.ts';
import { FileStatusBoard } from '../coordination/index.ts';
import { openEngineServices, type EngineServices } from './engine-services.ts';
import { onShutdownSignal } from './shutdown.ts';

/** The API on opened services, with refresh and metricd's status wired in. */
export function buildEngineApp(config: EngineConfig, services: EngineServices): OrzoApp {
  return buildApp({
    indexer: services.indexer,
    incoming: services.incoming,
    storage: services.storage,
    statusBoard: new FileStatusBoard(config.dataDir),
    refresh: (metricId, timeoutMs) => services.chef.refreshMetric(metricId, timeoutMs),
    config,
    logger: true,
  });
}

/** Starts the API and resolves once it has been shut down. */
export async function runApi(config: EngineConfig): Promise<void> {
  const services = openEngineServices(config, pino({ name: 'api' }));
  const app = buildEngineApp(config, services);
  const closed = new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await app.close();
      await services.close();
      resolve();
    });
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  await closed;
}
