/**
 * `orzo api`: the HTTP API alone, listening until SIGTERM or SIGINT, then closing cleanly. It can
 * still process a metric on demand (`refresh=true`), under the same locks as metricd.
 */
import { hostname } from 'node:os';

import { pino } from 'pino';

import { assertAuthSettings } from '../api/auth/create-authenticator.ts';
import { assertProtectedListen } from '../api/protected-mode.ts';
import { buildApp, type ApiDeps, type OrzoApp } from '../api/index.ts';
import type { EngineConfig } from '../config/index.ts';
import {
  createHostNowBoard,
  createStatusBoardReader,
  gatherMetricdOps,
} from '../coordination/index.ts';
import { openEngineServices, type EngineServices } from './engine-services.ts';
import { onShutdownSignal } from './shutdown.ts';

/**
 * How long the API waits for metricd's op dumps: longer than a reporter waits for its workers'
 * (2 s), so that a hung worker shows as its own error instead of hiding its reporter's answer.
 */
const METRICD_OPS_TIMEOUT_MS = 5_000;

/** The API on opened services, with refresh, metricd's status and op dumps wired in. */
export function buildEngineApp(
  config: EngineConfig,
  services: EngineServices,
  metricsRegistry?: ApiDeps['metricsRegistry'],
): OrzoApp {
  const { coordination } = config.backends;
  const statusBoard = createStatusBoardReader(coordination, config.dataDir);
  const hostNowBoard = createHostNowBoard(coordination, config.dataDir);
  const app = buildApp({
    indexer: services.indexer,
    incoming: services.incoming,
    storage: services.storage,
    statusBoard,
    hostNowBoard,
    refresh: (metricId, timeoutMs) => services.chef.refreshMetric(metricId, timeoutMs),
    tracker: services.tracker,
    metricdOps: async (command) => {
      const dumps = await gatherMetricdOps(config.dataDir, command, METRICD_OPS_TIMEOUT_MS);
      // NOTE: under `orzo serve` this process is also a reporter, and its one tracker is already
      // dumped as the API's; it is listed once.
      const self = `${hostname()}.${process.pid}.reporter`;
      return Object.fromEntries(Object.entries(dumps).filter(([name]) => name !== self));
    },
    ...(metricsRegistry === undefined ? {} : { metricsRegistry }),
    config,
    logger: { level: config.log.level },
  });
  app.addHook('onClose', async () => {
    await statusBoard.close();
    await hostNowBoard.close();
  });
  return app;
}

/** Starts the API and resolves once it has been shut down. */
export async function runApi(config: EngineConfig): Promise<void> {
  assertProtectedListen(config.api);
  assertAuthSettings(config.api);
  const services = openEngineServices(config, pino({ name: 'api', level: config.log.level }));
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
