/**
 * The composition of the API: one fastify instance with the engine decorator, every request
 * tracked as an op (`telemetry/ops-plugin.ts`), the HTTP behaviour Gnocchi clients expect (content
 * negotiation, raw bodies decoded by the routes that read them, 405s, JSON errors, CORS, proxies)
 * and one plugin per resource.
 *
 * To add a resource: write `routes/<resource>.ts` exporting a fastify plugin (reading its
 * dependencies from `app.engine`) and append it to {@link RESOURCE_PLUGINS}; a new dependency goes
 * into `ApiDeps` and `ApiEngine` (see `api-deps.ts`).
 */
import { readFileSync } from 'node:fs';

import fastifyCors from '@fastify/cors';
import type {
  FastifyPluginCallbackTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance } from 'fastify';

import type { ApiConfig } from '../config/index.ts';
import { ConfigError } from '../errors/config-error.ts';
import { createApiEngine, type ApiDeps } from './api-deps.ts';
import { corsOptions, refusedPreflightHook } from './http/cors-options.ts';
import { enginePlugin } from './engine-plugin.ts';
import { damageWarningPlugin } from './http/damage-warning.ts';
import { answerClientError, installErrorHandling, sendError } from './http/errors.ts';
import { installRawBodyParsing } from './http/json-body.ts';
import { loggerOptions } from './http/logger-options.ts';
import { methodNotAllowedPlugin, recordRouteMethods } from './http/method-not-allowed.ts';
import { opsPlugin } from './telemetry/ops-plugin.ts';
import { ShuttingDownError } from './http/request-errors.ts';
import { requireJsonAcceptable } from './http/request-hooks.ts';
import { aggregateRoutes } from './routes/aggregates.ts';
import { archivePolicyRoutes } from './routes/archive-policies.ts';
import { archivePolicyRuleRoutes } from './routes/archive-policy-rules.ts';
import { consoleRoutes } from './routes/console.ts';
import { influxdbRoutes } from './routes/influxdb.ts';
import { measureRoutes } from './routes/measures.ts';
import { metricRoutes } from './routes/metrics.ts';
import { resourceRoutes } from './routes/resources.ts';
import { hostRoutes } from './routes/hosts.ts';
import { resourceTypeRoutes } from './routes/resource-types.ts';
import { opsRoutes } from './routes/ops.ts';
import { prometheusRoutes } from './routes/prometheus.ts';
import { prometheusWriteRoutes } from './routes/prometheus-write.ts';
import { rootRoutes } from './routes/root.ts';
import { statusRoutes } from './routes/status.ts';
import { subhealthRoutes } from './routes/subhealth.ts';
import { validatorCompiler } from './http/validator-compiler.ts';

/** The resource plugins, in registration order. */
export const RESOURCE_PLUGINS: readonly FastifyPluginCallbackTypebox[] = [
  rootRoutes,
  archivePolicyRoutes,
  archivePolicyRuleRoutes,
  metricRoutes,
  measureRoutes,
  resourceTypeRoutes,
  resourceRoutes,
  aggregateRoutes,
  statusRoutes,
  subhealthRoutes,
  hostRoutes,
  influxdbRoutes,
  prometheusWriteRoutes,
  opsRoutes,
  prometheusRoutes,
  consoleRoutes,
];

/**
 * Longest path parameter, in characters as sent: a 255-character name percent-encoded as UTF-8
 * takes up to 255 × 12 (find-my-way's default of 100 would turn long names into 404s).
 */
const MAX_PARAM_LENGTH = 4096;

/** Builds the API on its dependencies, without listening; the caller owns `listen` and `close`. */
export function buildApp(deps: ApiDeps) {
  const engine = createApiEngine(deps);
  const { api } = engine.config;
  const tls = tlsOptions(api);
  const app = Fastify({
    logger: loggerOptions(deps.logger),
    // NOTE: one line per request, written when it is answered (below), instead of two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: engine.config.api.bodyLimitBytes,
    // NOTE: fastify disables Node's request timeout by default, which lets a client that sends a
    // byte every few seconds hold a connection forever; these bound each stage. Node checks them
    // every `connectionsCheckingInterval`, a tenth of the shortest here.
    requestTimeout: api.requestTimeoutSeconds * 1000,
    connectionTimeout: api.idleTimeoutSeconds * 1000,
    http: serverOptions(api),
    // NOTE: fastify ignores `http` for an HTTPS server, so its options go with the key.
    ...(tls === undefined ? {} : { https: { ...serverOptions(api), ...tls } }),
    exposeHeadRoutes: false,
    // NOTE: requests arriving on kept-alive connections while the app closes are refused by the
    // `refuseWhileClosing` hook below, so that they get Orzo's JSON error body, not fastify's.
    return503OnClosing: false,
    trustProxy: engine.trustProxy,
    // NOTE: gnocchiclient asks for `/v1/archive_policy//<name>` and `/v1/archive_policy/`; pecan
    // tolerates both, so the router must too.
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      maxParamLength: MAX_PARAM_LENGTH,
    },
    frameworkErrors: (error, request, reply) => {
      sendError(error, request, reply);
    },
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  installRawBodyParsing(app);
  const routes = recordRouteMethods(app);

  void app.register(enginePlugin, { engine });
  app.addHook('onClose', () => engine.measuresParser.close());
  // NOTE: hooks run in the order they are added, so every hook below runs with `request.op` set
  // and even refused requests are ops.
  void app.register(opsPlugin, { tracker: engine.tracker });
  app.addHook('onRequest', refusedPreflightHook(engine.config.api.corsAllowedOrigins));
  if (engine.config.api.corsAllowedOrigins.length > 0) {
    void app.register(fastifyCors, corsOptions(engine.config.api.corsAllowedOrigins));
  }
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
    done();
  });
  refuseWhileClosing(app);
  app.addHook('onRequest', requireJsonAcceptable);
  void app.register(damageWarningPlugin);
  for (const plugin of RESOURCE_PLUGINS) void app.register(plugin);
  void app.register(methodNotAllowedPlugin, { routes });
  return app;
}

/** Answers 503 (`SHUTTING_DOWN`) to requests that arrive once the app has started closing. */
function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (_request, _reply, done) => {
    done(closing ? new ShuttingDownError() : undefined);
  });
}

/** The API's fastify instance. */
export type OrzoApp = ReturnType<typeof buildApp>;

/** Node's server options that bound slow clients (see `buildApp`). */
function serverOptions(api: ApiConfig): {
  headersTimeout: number;
  connectionsCheckingInterval: number;
} {
  const headersMs = Math.min(api.headersTimeoutSeconds, api.requestTimeoutSeconds) * 1000;
  return { headersTimeout: headersMs, connectionsCheckingInterval: Math.max(100, headersMs / 10) };
}

/** The key and certificate of `api.tls*`, read once at start; `undefined` for plain HTTP. */
function tlsOptions(api: ApiConfig): { key: Buffer; cert: Buffer } | undefined {
  const { tlsCertFile, tlsKeyFile } = api;
  if (tlsCertFile === undefined && tlsKeyFile === undefined) return undefined;
  if (tlsCertFile === undefined || tlsKeyFile === undefined) {
    throw new ConfigError('api.tlsCertFile and api.tlsKeyFile go together: set both or neither', {
      path: tlsCertFile === undefined ? 'api.tlsCertFile' : 'api.tlsKeyFile',
    });
  }
  const read = (path: string, key: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(`cannot read ${key} ${path}: ${(error as Error).message}`, {
        path: key,
        cause: error,
      });
    }
  };
  return { key: read(tlsKeyFile, 'api.tlsKeyFile'), cert: read(tlsCertFile, 'api.tlsCertFile') };
}
