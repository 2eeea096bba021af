/**
 * Measures in: `POST /v1/metric/{id}/measures` and `POST /v1/batch/metrics/measures`, answered
 * 202 once the incoming store holds them. Bodies are validated by the ingest parser, which knows
 * every form Gnocchi accepts; the schemas here only say that a body is required.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { MICROS_PER_SECOND } from '../../carbonara/index.ts';
import { decodeJsonBody } from '../json-body.ts';
import { ERROR_RESPONSES, METRIC_ID_PARAMS, NO_QUERY } from '../schemas.ts';
import { postMeasures, postMeasuresBatch, type MeasuresContext } from '../services/measures.ts';

const MEASURES_BODY = Type.Unknown({
  description: 'a list of {"timestamp": …, "value": …}, checked by the ingest parser',
});
const BATCH_BODY = Type.Unknown({
  description: 'an object of metric id → list of measures, checked by the ingest parser',
});
const ACCEPTED = { 202: Type.Null({ description: 'accepted, empty body' }), ...ERROR_RESPONSES };

/** The measures resources. */
export const measureRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, incoming, now } = app.engine;
  const contextOf = (auth: MeasuresContext['auth']): MeasuresContext => ({
    indexer,
    incoming,
    auth,
    now: now().getTime() * (MICROS_PER_SECOND / 1000),
  });

  app.post(
    '/v1/metric/:id/measures',
    {
      schema: {
        params: METRIC_ID_PARAMS,
        querystring: NO_QUERY,
        body: MEASURES_BODY,
        response: ACCEPTED,
      },
      preValidation: [decodeJsonBody],
    },
    async (request, reply) => {
      await postMeasures(contextOf(request.auth), request.params.id, request.body);
      reply.code(202);
    },
  );

  app.post(
    '/v1/batch/metrics/measures',
    {
      schema: { querystring: NO_QUERY, body: BATCH_BODY, response: ACCEPTED },
      preValidation: [decodeJsonBody],
    },
    async (request, reply) => {
      await postMeasuresBatch(contextOf(request.auth), request.body);
      reply.code(202);
    },
  );

  done();
};
