/**
 * `/v1/resource`: the types' collections; per type, list, create and batch delete; per resource,
 * show, change and delete (with `ETag` and `Last-Modified`, and the conditional headers), its
 * history, and its metrics by name with their measures. And `POST /v1/search/resource/{type}`.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { dateToMicros, parseJsonFilter } from '../../grammar/index.ts';
import { MetricNotFoundError } from '../../indexer/index.ts';
import type { MeasureBatch } from '../../ingest/index.ts';
import { GENERIC_TYPE, parseMetricRequests, type Resource } from '../../resource/index.ts';
import { byMessage } from '../http/errors.ts';
import { decodeJsonBody, decodeOptionalJsonBody } from '../http/json-body.ts';
import { readMeasuresBody } from '../ingest/read-measures-body.ts';
import { checkPreconditions } from '../http/preconditions.ts';
import { EmptyFilterError } from '../http/request-errors.ts';
import { locationOf, pageUrlOf, applicationUrlOf } from '../http/request-urls.ts';
import { nextPageLink, type QueryArgs } from '../arguments/pagination.ts';
import {
  filterArgument,
  parseResourceListArguments,
  searchFilter,
} from '../arguments/resource-arguments.ts';
import { renderMeasuresJson } from '../views/measures-json.ts';
import { listedMetricToJson, metricDetailsToJson } from '../views/metric-json.ts';
import { resourceEtag, resourceLastModified, resourceToJson } from '../views/resource-json.ts';
import { ERROR_RESPONSES, NO_CONTENT } from '../views/schemas.ts';
import { getMeasures, postMeasures } from '../services/measures.ts';
import { getMetricDetails, withArchivePolicies } from '../services/metrics.ts';
import { metricAttachments } from '../services/resource-metrics.ts';
import {
  createResource,
  deleteResources,
  findResource,
  findResourceType,
  searchResources,
  updateResource,
  type ResourceContext,
  type ResourcePage,
} from '../services/resources.ts';
import { requestReads } from '../http/damage-warning.ts';

const TYPE_PARAMS = Type.Object({ type: Type.String() });
const RESOURCE_PARAMS = Type.Object({ type: Type.String(), id: Type.String() });
const METRIC_PARAMS = Type.Object({ type: Type.String(), id: Type.String(), name: Type.String() });
const ANY_QUERY = Type.Record(
  Type.String(),
  Type.Union([Type.String(), Type.Array(Type.String())]),
);
const BODY = Type.Unknown({ description: 'checked against the resource type, in Gnocchi words' });
const JSON_VALUE = Type.Unknown();
const ACCEPTED = { 202: Type.Null({ description: 'accepted, empty body' }), ...ERROR_RESPONSES };
const MEASURES_JSON = Type.Unsafe<string>(Type.Array(Type.Array(Type.Unknown())));

/** How resource routes answer some errors differently from the table (Gnocchi's per-endpoint). */
const CLIENT_NAMED_METRICS = {
  ARCHIVE_POLICY_NOT_FOUND: { status: 400, describe: byMessage },
  METRIC_NOT_FOUND: { status: 400, describe: byMessage },
} as const;

/** The resource resources. */
export const resourceRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, archivePolicies, incoming, storage, refresh, config, now } = app.engine;
  const nowMicros = (): number => dateToMicros(now());
  const contextOf = (request: FastifyRequest): ResourceContext => ({
    indexer,
    auth: request.auth,
    now: nowMicros(),
  });

  /** Renders a page, with the `Link` of the next one when it is full. */
  const sendPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    result: ResourcePage,
    attrs: readonly string[],
  ) => {
    const { resources, page, types, history } = result;
    const last = resources.at(-1);
    if (last !== undefined && resources.length >= page.limit) {
      const marker = history ? `${last.id}@${last.revision}` : last.id;
      reply.header(
        'Link',
        nextPageLink(pageUrlOf(request), request.query as QueryArgs, page, marker),
      );
    }
    return resources.map((resource) => resourceToJson(resource, types.get(resource.type), attrs));
  };

  /** The validators of a resource, and a 304 when the read's conditions say so. */
  const sendResource = async (request: FastifyRequest, reply: FastifyReply, resource: Resource) => {
    const etag = resourceEtag(resource);
    reply.header('ETag', etag).header('Last-Modified', resourceLastModified(resource));
    const type =
      resource.type === GENERIC_TYPE ? undefined : await findResourceType(indexer, resource.type);
    return resourceToJson(resource, type);
  };

  app.get(
    '/v1/resource',
    { schema: { response: { 200: JSON_VALUE, ...ERROR_RESPONSES } } },
    async (request) => {
      const base = `${applicationUrlOf(request)}/v1/resource`;
      const types = await indexer.listResourceTypes();
      return Object.fromEntries(
        types.map((type) => [type.name, `${base}/${encodeURIComponent(type.name)}`]),
      );
    },
  );

  app.get(
    '/v1/resource/:type',
    {
      schema: {
        params: TYPE_PARAMS,
        querystring: ANY_QUERY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const args = parseResourceListArguments(request.query);
      const page = await searchResources(
        { ...contextOf(request), maxLimit: config.api.maxLimit },
        request.params.type,
        filterArgument(request.query) ?? { kind: 'all' },
        request.query,
        { details: args.details, history: args.history, rule: 'list resource' },
      );
      return sendPage(request, reply, page, args.attrs);
    },
  );

  app.post(
    '/v1/search/resource/:type',
    {
      schema: {
        params: TYPE_PARAMS,
        querystring: ANY_QUERY,
        body: BODY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
      preValidation: [decodeOptionalJsonBody],
    },
    async (request, reply) => {
      const args = parseResourceListArguments(request.query);
      const filter = searchFilter(request.body, request.query);
      const page = await searchResources(
        { ...contextOf(request), maxLimit: config.api.maxLimit },
        request.params.type,
        filter,
        request.query,
        { details: args.details, history: args.history, rule: 'search resource' },
      );
      return sendPage(request, reply, page, args.attrs);
    },
  );

  app.post(
    '/v1/resource/:type',
    {
      schema: {
        params: TYPE_PARAMS,
        querystring: ANY_QUERY,
        body: BODY,
        response: { 201: JSON_VALUE, ...ERROR_RESPONSES },
      },
      preValidation: [decodeJsonBody],
      config: { errorOverrides: CLIENT_NAMED_METRICS },
    },
    async (request, reply) => {
      const resource = await createResource(contextOf(request), request.params.type, request.body);
      reply
        .code(201)
        .header(
          'Location',
          locationOf(
            request,
            `/v1/resource/${encodeURIComponent(request.params.type)}/${resource.id}`,
          ),
        );
      return sendResource(request, reply, resource);
    },
  );

  app.delete(
    '/v1/resource/:type',
    {
      schema: {
        params: TYPE_PARAMS,
        querystring: ANY_QUERY,
        body: BODY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
      preValidation: [decodeOptionalJsonBody],
    },
    async (request) => {
      const filter =
        request.body === undefined || request.body === null
          ? filterArgument(request.query)
          : parseJsonFilter(request.body);
      if (filter === undefined || filter.kind === 'all') throw new EmptyFilterError();
      return { deleted: await deleteResources(contextOf(request), request.params.type, filter) };
    },
  );

  app.get(
    '/v1/resource/:type/:id',
    {
      schema: {
        params: RESOURCE_PARAMS,
        querystring: ANY_QUERY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      const resource = await findResource(contextOf(request), type, id, 'get resource');
      const validators = {
        etag: resourceEtag(resource),
        lastModifiedMs: resource.revisionStart / 1000,
      };
      if (checkPreconditions(request.headers, request.method, validators) === 'not-modified') {
        return reply.code(304).send();
      }
      return sendResource(request, reply, resource);
    },
  );

  app.patch(
    '/v1/resource/:type/:id',
    {
      schema: {
        params: RESOURCE_PARAMS,
        querystring: ANY_QUERY,
        body: BODY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
      preValidation: [decodeJsonBody],
      config: { errorOverrides: CLIENT_NAMED_METRICS },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      const resource = await updateResource(
        contextOf(request),
        type,
        id,
        request.body,
        (current) => {
          checkPreconditions(request.headers, request.method, {
            etag: resourceEtag(current),
            lastModifiedMs: current.revisionStart / 1000,
          });
        },
      );
      return sendResource(request, reply, resource);
    },
  );

  app.delete(
    '/v1/resource/:type/:id',
    {
      schema: {
        params: RESOURCE_PARAMS,
        querystring: ANY_QUERY,
        response: { 204: NO_CONTENT, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      const resource = await findResource(contextOf(request), type, id, 'delete resource');
      checkPreconditions(request.headers, request.method, {
        etag: resourceEtag(resource),
        lastModifiedMs: resource.revisionStart / 1000,
      });
      await indexer.deleteResource(type, resource.id);
      reply.code(204);
    },
  );

  app.get(
    '/v1/resource/:type/:id/history',
    {
      schema: {
        params: RESOURCE_PARAMS,
        querystring: ANY_QUERY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { type, id } = request.params;
      const context = contextOf(request);
      const resource = await findResource(context, type, id, 'get resource');
      const args = parseResourceListArguments(request.query);
      const page = await searchResources(
        { ...context, maxLimit: config.api.maxLimit },
        type,
        { kind: 'compare', op: '=', field: 'id', value: resource.id },
        request.query,
        { details: args.details, history: true, rule: 'get resource' },
      );
      return sendPage(request, reply, page, args.attrs);
    },
  );

  app.get(
    '/v1/resource/:type/:id/metric',
    {
      schema: {
        params: RESOURCE_PARAMS,
        querystring: ANY_QUERY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { type, id } = request.params;
      const resource = await findResource(contextOf(request), type, id, 'get resource');
      const metrics = await indexer.getMetrics(Object.values(resource.metrics));
      return (await withArchivePolicies(indexer, metrics)).map(listedMetricToJson);
    },
  );

  app.post(
    '/v1/resource/:type/:id/metric',
    {
      schema: {
        params: RESOURCE_PARAMS,
        querystring: ANY_QUERY,
        body: BODY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
      preValidation: [decodeJsonBody],
      config: {
        errorOverrides: {
          ...CLIENT_NAMED_METRICS,
          NAMED_METRIC_ALREADY_EXISTS: { status: 409, describe: byMessage },
        },
      },
    },
    async (request) => {
      const { type, id } = request.params;
      const context = contextOf(request);
      const resource = await findResource(context, type, id, 'update resource');
      const requests = parseMetricRequests(request.body, []);
      const attachments = await metricAttachments(indexer, requests);
      const updated = await indexer.attachMetrics(type, resource.id, attachments);
      const metrics = await indexer.getMetrics(Object.values(updated.metrics));
      return (await withArchivePolicies(indexer, metrics)).map(listedMetricToJson);
    },
  );

  /** The id of the metric a resource has under a name; 404 `Metric <name> does not exist`. */
  const namedMetric = async (
    request: FastifyRequest,
    { type, id, name }: { type: string; id: string; name: string },
  ) => {
    const resource = await findResource(contextOf(request), type, id, 'get resource');
    const metricId = resource.metrics[name];
    if (metricId === undefined) throw new MetricNotFoundError(name);
    return metricId;
  };

  app.get(
    '/v1/resource/:type/:id/metric/:name',
    {
      schema: {
        params: METRIC_PARAMS,
        querystring: ANY_QUERY,
        response: { 200: JSON_VALUE, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      metricDetailsToJson(
        await getMetricDetails(indexer, request.auth, await namedMetric(request, request.params)),
      ),
  );

  app.post(
    '/v1/resource/:type/:id/metric/:name/measures',
    {
      schema: { params: METRIC_PARAMS, querystring: ANY_QUERY, body: BODY, response: ACCEPTED },
    },
    async (request, reply) => {
      const metricId = await namedMetric(request, request.params);
      const now = nowMicros();
      await postMeasures(
        { indexer, incoming, auth: request.auth, op: request.op, now },
        metricId,
        async () => {
          const parsed = await readMeasuresBody(request, app.engine.measuresParser, 'one', now);
          return parsed.get('') as MeasureBatch;
        },
      );
      reply.code(202);
    },
  );

  app.get(
    '/v1/resource/:type/:id/metric/:name/measures',
    {
      schema: {
        params: METRIC_PARAMS,
        querystring: ANY_QUERY,
        response: { 200: MEASURES_JSON, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const metricId = await namedMetric(request, request.params);
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
      const groups = await getMeasures(context, metricId, request.query);
      return reply.type('application/json; charset=utf-8').send(renderMeasuresJson(groups));
    },
  );

  done();
};
