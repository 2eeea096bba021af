/**
 * Measures in: `POST /v1/metric/{id}/measures` and `POST /v1/batch/metrics/measures`, answered
 * 202 once the incoming store holds them. Bodies are validated by the ingest parser, which knows
 * every form Gnocchi accepts; the schemas here only say that a body is required.
 *
 * Measures out: `GET /v1/metric/{id}/measures`, the aggregates as `[timestamp, granularity,
 * value]` triples, rendered by `measures-json.ts`.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { dateToMicros } from '../../grammar/index.ts';
import { parseBoolean } from '../arguments/boolean-argument.ts';
import { byMessage } from '../http/errors.ts';
import type { MeasureBatch } from '../../ingest/index.ts';
import { readMeasuresBody } from '../ingest/read-measures-body.ts';
import { requireCaller } from '../http/request-hooks.ts';
import { postResourceMeasuresBatch } from '../services/batch-resources.ts';
import { renderMeasuresJson } from '../views/measures-json.ts';
import { ERROR_RESPONSES, METRIC_ID_PARAMS, NO_QUERY } from '../views/schemas.ts';
import {
  getMeasures,
  postMeasures,
  postMeasuresBatch,
  type MeasuresContext,
} from '../services/measures.ts';
import { requestReads } from '../http/damage-warning.ts';

const MEASURES_BODY = Type.Unknown({
  description: 'a list of {"timestamp": …, "value": …}, checked by the ingest parser',
});
const BATCH_BODY = Type.Unknown({
  description: 'an object of metric id → list of measures, checked by the ingest parser',
});
const ACCEPTED = { 202: Type.Null({ description: 'accepted, empty body' }), ...ERROR_RESPONSES };

const OPTIONAL_TEXT = Type.Optional(Type.String());

const BATCH_RESOURCES_QUERY = Type.Object({ create_metrics: OPTIONAL_TEXT });

/** Gnocchi's arguments plus Orzo's `fill`; other arguments are ignored, as in Gnocchi. */
const READ_QUERY = Type.Object({
  start: OPTIONAL_TEXT,
  stop: OPTIONAL_TEXT,
  aggregation: OPTIONAL_TEXT,
  granularity: OPTIONAL_TEXT,
  resample: OPTIONAL_TEXT,
  refresh: OPTIONAL_TEXT,
  fill: OPTIONAL_TEXT,
});

/**
 * A list of `[timestamp, granularity (seconds, or a calendar letter), value]`; typed as the JSON
 * text the handler sends, already serialized.
 */
const MEASURES_JSON = Type.Unsafe<string>(
  Type.Array(
    Type.Tuple([
      Type.String(),
      Type.Union([Type.Number(), Type.String()]),
      Type.Union([Type.Number(), Type.Null()]),
    ]),
  ),
);

/** The measures resources. */
export const measureRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, archivePolicies, incoming, storage, refresh, config, now, measuresParser } =
    app.engine;
  const nowMicros = (): number => dateToMicros(now());
  const contextOf = ({ auth, op }: Pick<MeasuresContext, 'auth' | 'op'>) => ({
    indexer,
    incoming,
    auth,
    op,
    now: nowMicros(),
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
    },
    async (request, reply) => {
      const context = contextOf(request);
      await postMeasures(context, request.params.id, async () => {
        const parsed = await readMeasuresBody(request, measuresParser, 'one', context.now);
        return parsed.get('') as MeasureBatch;
      });
      reply.code(202);
    },
  );

  app.get(
    '/v1/metric/:id/measures',
    {
      schema: {
        params: METRIC_ID_PARAMS,
        querystring: READ_QUERY,
        response: { 200: MEASURES_JSON, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const context = {
        indexer,
        archivePolicies,
        storage: requestReads(storage, request),
        refresh,
        refreshTimeoutMs: config.api.operationTimeoutSeconds * 1000,
        auth: request.auth,
        op: request.op,
        now: nowMicros(),
      };
      const groups = await getMeasures(context, request.params.id, request.query);
      // NOTE: a string with a JSON content type is sent as is, skipping the response serializer.
      return reply.type('application/json; charset=utf-8').send(renderMeasuresJson(groups));
    },
  );

  app.post(
    '/v1/batch/metrics/measures',
    {
      schema: { querystring: NO_QUERY, body: BATCH_BODY, response: ACCEPTED },
      preValidation: [requireCaller],
    },
    async (request, reply) => {
      const context = contextOf(request);
      const batches = await readMeasuresBody(request, measuresParser, 'batch', context.now);
      await postMeasuresBatch(context, batches);
      reply.code(202);
    },
  );

  app.post(
    '/v1/batch/resources/metrics/measures',
    {
      schema: { querystring: BATCH_RESOURCES_QUERY, body: BATCH_BODY, response: ACCEPTED },
      preValidation: [requireCaller],
      // NOTE: a policy named in the body that does not exist is the client's error.
      config: {
        errorOverrides: { ARCHIVE_POLICY_NOT_FOUND: { status: 400, describe: byMessage } },
      },
    },
    async (request, reply) => {
      const createMetrics = parseBoolean('create_metrics', request.query.create_metrics ?? 'false');
      const context = { ...contextOf(request), auth: request.auth };
      const parsed = await readMeasuresBody(request, measuresParser, 'resources', context.now);
      await postResourceMeasuresBatch(context, parsed, createMetrics);
      reply.code(202);
    },
  );

  done();
};
