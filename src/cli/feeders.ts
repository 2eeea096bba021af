/**
 * `orzo statsd` and `orzo graphite`: the listeners on their own, or started beside the API by
 * `orzo serve` when `statsd.enabled` or `graphite.enabled` is set.
 */
import { pino } from 'pino';

import {
  createFeederRegistry,
  serveFeederMetrics,
  startGraphiteListener,
  startStatsdListener,
  type RunningFeeder,
} from '../api/feeders/index.ts';
import type { EngineConfig } from '../config/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import type { Logger } from '../log/logger.ts';
import { openEngineServices, type EngineServices } from './engine-services.ts';
import { onShutdownSignal } from './shutdown.ts';

type Registry = ReturnType<typeof createFeederRegistry>;

/** Which listener. */
export type FeederName = 'statsd' | 'graphite';

/** Starts one listener on opened services. */
export async function startFeeder(
  name: FeederName,
  config: EngineConfig,
  services: EngineServices,
  logger: Logger,
  registry: Registry,
): Promise<RunningFeeder> {
  const deps = {
    indexer: services.indexer,
    incoming: services.incoming,
    tracker: services.tracker,
    logger,
    registry,
  };
  if (name === 'graphite') return startGraphiteListener(deps, config.graphite);
  const { resourceId } = config.statsd;
  if (resourceId === undefined) {
    throw new ConfigError(
      'statsd needs statsd.resourceId (ORZO_STATSD_RESOURCE_ID): the resource of its metrics',
      { path: '/statsd/resourceId' },
    );
  }
  return startStatsdListener(deps, { ...config.statsd, resourceId });
}

/** The listeners `orzo serve` starts beside the API. */
export async function startEnabledFeeders(
  config: EngineConfig,
  services: EngineServices,
  logger: Logger & { child(bindings: object): Logger },
  registry: Registry,
): Promise<RunningFeeder[]> {
  const running: RunningFeeder[] = [];
  try {
    for (const name of ['statsd', 'graphite'] as const) {
      if (!config[name].enabled) continue;
      running.push(await startFeeder(name, config, services, logger.child({ name }), registry));
    }
  } catch (error) {
    await Promise.all(running.map((feeder) => feeder.close()));
    throw error;
  }
  return running;
}

/** Runs one listener until SIGTERM or SIGINT, then flushes and closes. */
export async function runFeeder(name: FeederName, config: EngineConfig): Promise<void> {
  const logger = pino({ name, level: config.log.level });
  const services = openEngineServices(config, logger);
  const registry = createFeederRegistry({ processFigures: true });
  let feeder: RunningFeeder;
  try {
    feeder = await startFeeder(name, config, services, logger, registry);
  } catch (error) {
    await services.close();
    throw error;
  }
  const { metricsPort, host } = config[name];
  const metrics =
    metricsPort === undefined ? undefined : await serveFeederMetrics(registry, host, metricsPort);
  await new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await metrics?.close();
      await feeder.close();
      await services.close();
      resolve();
    });
  });
}
