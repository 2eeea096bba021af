/**
 * The cross-metric endpoints: `POST /v1/aggregates` (operations over metrics or over the metrics
 * of searched resources), the legacy `/v1/aggregation/metric` and
 * `/v1/aggregation/resource/{type}/metric/{name}`, and `POST /v1/search/metric`.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';

import { MICROS_PER_SECOND } from '../../carbonara/index.ts';
import { dateToMicros } from '../../grammar/index.ts';
import { ResourceTypeNotFoundError } from '../../indexer/index.ts';
import type { QueryArgs } from '../arguments/pagination.ts';
import type { ErrorDescription } from '../http/errors.ts';
import { decodeJsonBody, decodeOptionalJsonBody } from '../http/json-body.ts';
import { AggregationNotFoundError } from '../http/request-errors.ts';
import { postAggregates, type AggregatesContext } from '../services/aggregates.ts';
import {
  aggregateMetricsLegacy,
  aggregateResourcesLegacy,
} from '../services/legacy-aggregation.ts';
import { searchMetricValues } from '../services/metric-search.ts';
import { ERROR_RESPONSES } from '../views/schemas.ts';
import { requestReads } from '../http/damage-warning.ts';

const ANY_QUERY = Type.Record(
  Type.String(),
  Type.Union([Type.String(), Type.Array(Type.String())]),
);
const BODY = Type.Unknown({ description: 'checked by the service, in Gnocchi words' });
const JSON_TEXT = Type.Unsafe<string>(Type.Unknown({ description: 'JSON, written by hand' }));
const LEGACY_PARAMS = Type.Object({ type: Type.String(), name: Type.String() });
const REPLY = { 200: JSON_TEXT, ...ERROR_RESPONSES };

/** A type that does not exist is a fault of the body here, described as Gnocchi's `jsonify`. */
const TYPE_IN_BODY = {
  RESOURCE_TYPE_NOT_FOUND: {
    status: 400,
    describe: (error: Error): ErrorDescription => ({
      cause: 'Resource type does not exist',
      detail: error instanceof ResourceTypeNotFoundError ? error.typeName : error.message,
    }),
  },
} as const;

/** A metric search names the missing aggregation in an object, as Gnocchi's `jsonify`. */
const SEARCH_AGGREGATION = {
  AGGREGATION_NOT_FOUND: {
    status: 400,
    describe: (error: Error): ErrorDescription =>
      error instanceof AggregationNotFoundError
        ? {
            cause: 'Aggregation does not exist',
            detail: {
              granularity: error.granularity / MICROS_PER_SECOND,
              aggregation_method: error.aggregationMethod,
            },
          }
        : error.message,
  },
} as const;

/** The cross-metric resources. */
export const aggregateRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, archivePolicies, storage, refresh, config, now } = app.engine;
  const contextOf = (request: FastifyRequest): AggregatesContext => ({
    indexer,
    archivePolicies,
    storage: requestReads(storage, request),
    refresh,
    refreshTimeoutMs: config.api.operationTimeoutSeconds * 1000,
    auth: request.auth,
    op: request.op,
    now: dateToMicros(now()),
  });
  const json = 'application/json; charset=utf-8';

  app.post(
    '/v1/aggregates',
    {
      schema: { querystring: ANY_QUERY, body: BODY, response: REPLY },
      preValidation: [decodeJsonBody],
      config: { errorOverrides: TYPE_IN_BODY },
    },
    async (request, reply) => {
      const answer = await postAggregates(contextOf(request), request.query, request.body);
      return reply.type(json).send(answer);
    },
  );

  const legacyMetrics = async (request: FastifyRequest, ids: unknown, from: 'query' | 'body') =>
    aggregateMetricsLegacy(contextOf(request), request.query as QueryArgs, ids, from);

  app.get(
    '/v1/aggregation/metric',
    { schema: { querystring: ANY_QUERY, response: REPLY } },
    async (request, reply) => {
      const { metric } = request.query;
      const ids = metric === undefined ? [] : typeof metric === 'string' ? [metric] : metric;
      return reply.type(json).send(await legacyMetrics(request, ids, 'query'));
    },
  );

  app.post(
    '/v1/aggregation/metric',
    {
      schema: { querystring: ANY_QUERY, body: BODY, response: REPLY },
      preValidation: [decodeJsonBody],
    },
    async (request, reply) =>
      reply.type(json).send(await legacyMetrics(request, request.body, 'body')),
  );

  app.post(
    '/v1/aggregation/resource/:type/metric/:name',
    {
      schema: { params: LEGACY_PARAMS, querystring: ANY_QUERY, body: BODY, response: REPLY },
      preValidation: [decodeOptionalJsonBody],
    },
    async (request, reply) => {
      const { type, name } = request.params;
      const answer = await aggregateResourcesLegacy(
        contextOf(request),
        { type, metricName: name },
        request.query,
        request.body,
      );
      return reply.type(json).send(answer);
    },
  );

  app.post(
    '/v1/search/metric',
    {
      schema: { querystring: ANY_QUERY, body: BODY, response: REPLY },
      preValidation: [decodeOptionalJsonBody],
      config: { errorOverrides: SEARCH_AGGREGATION },
    },
    async (request, reply) => {
      const answer = await searchMetricValues(contextOf(request), request.query, request.body);
      return reply.type(json).send(answer);
    },
  );

  done();
};
