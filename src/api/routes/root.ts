/**
 * The documents outside the resources: the versions document at `/`, the links of `/v1/`, the
 * capabilities, and the health check (a bare 200, as oslo's middleware gives).
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { ALL_AGGREGATION_METHODS } from '../../carbonara/index.ts';
import { applicationUrlOf } from '../http/request-urls.ts';
import { ERROR_RESPONSES, NO_QUERY } from '../views/schemas.ts';
import { checkReadiness } from '../services/readiness.ts';

/** The build Orzo reports in the versions document: the Gnocchi release whose API it serves. */
export const GNOCCHI_COMPATIBLE_BUILD = '4.6.0';

/**
 * The resources listed by `GET /v1/`, sorted as Gnocchi lists them; only those Orzo serves
 * (Gnocchi's `influxdb` comes with its endpoints).
 */
export const V1_RESOURCES: readonly string[] = [
  'aggregates',
  'aggregation',
  'archive_policy',
  'archive_policy_rule',
  'batch',
  'capabilities',
  'metric',
  'resource',
  'resource_type',
  'search',
  'status',
];

const LINK = Type.Object({ rel: Type.String(), href: Type.String() });

const VERSIONS_JSON = Type.Object({
  build: Type.String(),
  versions: Type.Array(
    Type.Object({
      status: Type.String(),
      links: Type.Array(LINK),
      id: Type.String(),
      updated: Type.String(),
    }),
  ),
});

const V1_JSON = Type.Object({ version: Type.String(), links: Type.Array(LINK) });

const READY_JSON = Type.Object({
  indexer: Type.String(),
  incoming: Type.String(),
  storage: Type.String(),
});
const CAPABILITIES_JSON = Type.Object({ aggregation_methods: Type.Array(Type.String()) });

/**
 * `GET /`, `GET /v1` (a redirect to `/v1/`), `GET /v1/`, `/v1/capabilities`, `/healthcheck`
 * (liveness), `/ready` (readiness: each backend answers).
 */
export const rootRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/',
    { schema: { querystring: NO_QUERY, response: { 200: VERSIONS_JSON, ...ERROR_RESPONSES } } },
    (request) => ({
      build: GNOCCHI_COMPATIBLE_BUILD,
      versions: [
        {
          status: 'CURRENT',
          links: [{ rel: 'self', href: `${applicationUrlOf(request)}/v1/` }],
          id: 'v1.0',
          updated: '2015-03-19',
        },
      ],
    }),
  );

  // NOTE: the router ignores trailing slashes, so this route also answers `/v1`, which Gnocchi
  // redirects to `/v1/`.
  app.get(
    '/v1/',
    {
      schema: {
        querystring: NO_QUERY,
        response: { 200: V1_JSON, 302: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    (request, reply) => {
      const base = `${applicationUrlOf(request)}/v1`;
      if (!request.url.startsWith('/v1/')) {
        void reply.redirect(`${base}/`, 302);
        return;
      }
      const links = V1_RESOURCES.map((rel) => ({ rel, href: `${base}/${rel}` }));
      return { version: '1.0', links: [{ rel: 'self', href: base }, ...links] };
    },
  );

  app.get(
    '/v1/capabilities',
    { schema: { querystring: NO_QUERY, response: { 200: CAPABILITIES_JSON, ...ERROR_RESPONSES } } },
    () => ({ aggregation_methods: [...ALL_AGGREGATION_METHODS] }),
  );

  app.get(
    '/ready',
    {
      config: { negotiate: false },
      schema: { querystring: NO_QUERY, response: { 200: READY_JSON, 503: READY_JSON } },
    },
    async (_request, reply) => {
      const { indexer, incoming, storage, config } = app.engine;
      const timeoutMs = config.api.operationTimeoutSeconds * 1000;
      const { ready, backends } = await checkReadiness({ indexer, incoming, storage }, timeoutMs);
      return reply.code(ready ? 200 : 503).send(backends);
    },
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/healthcheck',
    config: { negotiate: false },
    schema: { querystring: NO_QUERY, response: { 200: Type.String() } },
    handler: (_request, reply) => {
      reply.type('text/plain; charset=utf-8');
      return '';
    },
  });

  done();
};
