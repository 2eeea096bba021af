/**
 * `GET /metrics`: Prometheus' text exposition of this process (its ops, prom-client's process and
 * Node.js figures, all prefixed `orzo_`) and of the engine as metricd last published it.
 *
 * Unauthenticated, as scrapers usually carry no credentials (and as `/healthcheck` is): it shows
 * counts, never metric ids or users. Each app has its own registry, so that several apps can live
 * in one process; the op duration histogram stops being fed when the app closes.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { collectDefaultMetrics, Registry } from 'prom-client';

import { registerMetricdMetrics } from '../telemetry/metricd-metrics.ts';
import { registerOpMetrics } from '../telemetry/op-metrics.ts';
import { NO_QUERY } from '../views/schemas.ts';

/** The Prometheus resource. */
export const prometheusRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { tracker, statusBoard, now, metricsRegistry } = app.engine;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'orzo_' });
  const durations = registerOpMetrics(registry, tracker);
  if (statusBoard !== undefined) registerMetricdMetrics(registry, { statusBoard, now });
  app.addHook('onClose', (_instance, next) => {
    durations.stop();
    next();
  });

  app.get(
    '/metrics',
    {
      config: { negotiate: false },
      schema: { querystring: NO_QUERY, response: { 200: Type.String() } },
    },
    async (_request, reply) => {
      const own = (await registry.metrics()) + durations.exposition();
      const text = metricsRegistry === undefined ? own : own + (await metricsRegistry.metrics());
      return reply.type(registry.contentType).send(text);
    },
  );

  done();
};
