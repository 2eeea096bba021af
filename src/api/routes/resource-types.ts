/**
 * `/v1/resource_type`: list and show (anyone), create and change (admin or service), delete
 * (admin). A change is a JSON Patch of the attributes, sent as `application/json-patch+json`.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { ResourceTypeNotFoundError } from '../../indexer/index.ts';
import {
  applyResourceTypePatch,
  parseResourceTypeInput,
  resourceTypeJson,
} from '../../resource/index.ts';
import { decodeJsonBody, decodeJsonPatchBody } from '../http/json-body.ts';
import { authorize } from '../http/request-hooks.ts';
import { locationOf } from '../http/request-urls.ts';
import { ERROR_RESPONSES, NAME_PARAMS, NO_CONTENT, NO_QUERY } from '../views/schemas.ts';

/** A type's JSON: name, attributes (by name, each with its type and options) and state. */
const RESOURCE_TYPE_JSON = Type.Object(
  {
    name: Type.String(),
    attributes: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
    state: Type.String(),
  },
  { additionalProperties: false },
);
const BODY = Type.Unknown({ description: 'checked by src/resource, in Gnocchi words' });

/** The resource type resource. */
export const resourceTypeRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer } = app.engine;

  app.get(
    '/v1/resource_type',
    {
      schema: {
        querystring: NO_QUERY,
        response: { 200: Type.Array(RESOURCE_TYPE_JSON), ...ERROR_RESPONSES },
      },
      preValidation: authorize('list resource type'),
    },
    async () => (await indexer.listResourceTypes()).map(resourceTypeJson),
  );

  app.post(
    '/v1/resource_type',
    {
      schema: {
        querystring: NO_QUERY,
        body: BODY,
        response: { 201: RESOURCE_TYPE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('create resource type'), decodeJsonBody],
    },
    async (request, reply) => {
      const type = await indexer.createResourceType(parseResourceTypeInput(request.body));
      reply
        .code(201)
        .header(
          'Location',
          locationOf(request, `/v1/resource_type/${encodeURIComponent(type.name)}`),
        );
      return resourceTypeJson(type);
    },
  );

  app.get(
    '/v1/resource_type/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        response: { 200: RESOURCE_TYPE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: authorize('get resource type'),
    },
    async (request) => {
      const type = await indexer.getResourceType(request.params.name);
      if (type === undefined) throw new ResourceTypeNotFoundError(request.params.name);
      return resourceTypeJson(type);
    },
  );

  app.patch(
    '/v1/resource_type/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        body: BODY,
        response: { 200: RESOURCE_TYPE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('update resource type'), decodeJsonPatchBody],
    },
    async (request) => {
      const type = await indexer.updateResourceType(request.params.name, (current) =>
        applyResourceTypePatch(current, request.body),
      );
      return resourceTypeJson(type);
    },
  );

  app.delete(
    '/v1/resource_type/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        response: { 204: NO_CONTENT, ...ERROR_RESPONSES },
      },
      preValidation: authorize('delete resource type'),
    },
    async (request, reply) => {
      await indexer.deleteResourceType(request.params.name);
      reply.code(204);
    },
  );

  done();
};
