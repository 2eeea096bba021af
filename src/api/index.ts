/**
 * Orzo's HTTP API: Gnocchi's v1 REST API on fastify. Build it with {@link buildApp} on an
 * indexer and the configuration, then `listen` (or `inject` in tests) and `close` it.
 */
export { buildApp, RESOURCE_PLUGINS, type OrzoApp } from './build-app.ts';
export type {
  ApiDeps,
  ApiDepsConfig,
  ApiEngine,
  MetricdOpsGatherer,
  MetricRefresher,
} from './api-deps.ts';
export type { ApiLoggerOptions } from './http/logger-options.ts';
