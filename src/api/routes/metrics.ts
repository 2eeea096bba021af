/**
 * `/v1/metric`: create (any known user; the policy by name or by rule), list (anonymous callers
 * too, unfiltered by owner, as Gnocchi's basic mode), show and delete (creator or admin).
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { byMessage } from '../http/errors.ts';
import { decodeJsonBody } from '../http/json-body.ts';
import {
  createdMetricToJson,
  listedMetricToJson,
  metricDetailsToJson,
} from '../views/metric-json.ts';
import { nextPageLink, type QueryArgs } from '../arguments/pagination.ts';
import { requireUser } from '../http/request-hooks.ts';
import { locationOf, pageUrlOf } from '../http/request-urls.ts';
import {
  CREATED_METRIC_JSON,
  ERROR_RESPONSES,
  LISTED_METRIC_JSON,
  METRIC_DETAILS_JSON,
  METRIC_ID_PARAMS,
  NO_CONTENT,
  NO_QUERY,
} from '../views/schemas.ts';
import {
  createMetricFromInput,
  deleteMetricById,
  getMetricDetails,
  listMetricsPage,
} from '../services/metrics.ts';

const CREATE_BODY = Type.Object(
  {
    archive_policy_name: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    unit: Type.Optional(Type.String({ description: 'at most 31 characters' })),
    resource_id: Type.Optional(Type.String({ description: 'a resource id; requires name' })),
  },
  { additionalProperties: false },
);

const OPTIONAL_TEXT = Type.Optional(Type.String());

/** Exact-match filters and pagination; other arguments are ignored, as in Gnocchi. */
const LIST_QUERY = Type.Object({
  id: OPTIONAL_TEXT,
  name: OPTIONAL_TEXT,
  unit: OPTIONAL_TEXT,
  archive_policy_name: OPTIONAL_TEXT,
  creator: OPTIONAL_TEXT,
  user_id: OPTIONAL_TEXT,
  project_id: OPTIONAL_TEXT,
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('delete')])),
  limit: OPTIONAL_TEXT,
  marker: OPTIONAL_TEXT,
  sort: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
});

/** The metric resource. */
export const metricRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, config } = app.engine;

  app.post(
    '/v1/metric',
    {
      schema: {
        querystring: NO_QUERY,
        body: CREATE_BODY,
        response: { 201: CREATED_METRIC_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [requireUser, decodeJsonBody],
      // NOTE: the policy is named in the body, so its absence is the client's error, not a 404.
      config: {
        errorOverrides: {
          ARCHIVE_POLICY_NOT_FOUND: { status: 400, describe: byMessage },
          // NOTE: Gnocchi answers 500 for an unknown `resource_id`; it is the body's fault.
          RESOURCE_NOT_FOUND: { status: 400, describe: byMessage },
        },
      },
    },
    async (request, reply) => {
      const metric = await createMetricFromInput(indexer, request.auth.currentUser(), request.body);
      reply.code(201).header('Location', locationOf(request, `/v1/metric/${metric.id}`));
      return createdMetricToJson(metric);
    },
  );

  app.get(
    '/v1/metric',
    {
      schema: {
        querystring: LIST_QUERY,
        response: { 200: Type.Array(LISTED_METRIC_JSON), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const query = request.query as typeof request.query & QueryArgs;
      const { metrics, page } = await listMetricsPage(
        indexer,
        request.auth,
        query,
        config.api.maxLimit,
      );
      const last = metrics.at(-1);
      // NOTE: as in Gnocchi, the next page is announced only when this one is full.
      if (last !== undefined && metrics.length >= page.limit) {
        reply.header('Link', nextPageLink(pageUrlOf(request), query, page, last.metric.id));
      }
      return metrics.map(listedMetricToJson);
    },
  );

  app.get(
    '/v1/metric/:id',
    {
      schema: {
        params: METRIC_ID_PARAMS,
        querystring: NO_QUERY,
        response: { 200: METRIC_DETAILS_JSON, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      metricDetailsToJson(await getMetricDetails(indexer, request.auth, request.params.id)),
  );

  app.delete(
    '/v1/metric/:id',
    {
      schema: {
        params: METRIC_ID_PARAMS,
        querystring: NO_QUERY,
        response: { 204: NO_CONTENT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await deleteMetricById(indexer, request.auth, request.params.id);
      reply.code(204);
    },
  );

  done();
};
