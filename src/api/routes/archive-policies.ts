/**
 * `/v1/archive_policy`: list, create (admin or service), show, update retention (admin), delete
 * (admin; refused while metrics or rules use the policy).
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { toArchivePolicyJson } from '../views/archive-policy-json.ts';
import { decodeJsonBody } from '../http/json-body.ts';
import { authorize } from '../http/request-hooks.ts';
import { locationOf } from '../http/request-urls.ts';
import {
  ARCHIVE_POLICY_JSON,
  ERROR_RESPONSES,
  NAME_PARAMS,
  NO_CONTENT,
  NO_QUERY,
} from '../views/schemas.ts';
import {
  createArchivePolicyFromInput,
  findArchivePolicy,
  updateArchivePolicyFromInput,
} from '../services/archive-policies.ts';

/** Seconds, or a timespan such as `"1 hour"` or `"0:05:00"`; null where the field is unset. */
const TIMESPAN_INPUT = Type.Union([Type.Number(), Type.String(), Type.Null()]);

/** One definition item: any two of granularity, points and timespan (or a granularity alone). */
const ITEM_INPUT = Type.Object(
  {
    granularity: Type.Optional(TIMESPAN_INPUT),
    points: Type.Optional(Type.Union([Type.Number({ minimum: 1 }), Type.String(), Type.Null()])),
    timespan: Type.Optional(TIMESPAN_INPUT),
  },
  { additionalProperties: false },
);

const DEFINITION_INPUT = Type.Array(ITEM_INPUT, { minItems: 1 });

/** A back window: a count of blocks of the largest granularity, as a number or its text. */
const BACK_WINDOW_INPUT = Type.Union([Type.Number({ minimum: 0 }), Type.String()]);

const CREATE_BODY = Type.Object(
  {
    name: Type.String(),
    back_window: Type.Optional(BACK_WINDOW_INPUT),
    aggregation_methods: Type.Optional(Type.Array(Type.String())),
    definition: DEFINITION_INPUT,
  },
  { additionalProperties: false },
);

const UPDATE_BODY = Type.Object(
  { definition: DEFINITION_INPUT, back_window: Type.Optional(BACK_WINDOW_INPUT) },
  { additionalProperties: false },
);

/** The archive policy resource. */
export const archivePolicyRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, archivePolicies, config } = app.engine;

  app.get(
    '/v1/archive_policy',
    {
      schema: {
        querystring: NO_QUERY,
        response: { 200: Type.Array(ARCHIVE_POLICY_JSON), ...ERROR_RESPONSES },
      },
      preValidation: authorize('list archive policy'),
    },
    async () => (await indexer.listArchivePolicies()).map(toArchivePolicyJson),
  );

  app.post(
    '/v1/archive_policy',
    {
      schema: {
        querystring: NO_QUERY,
        body: CREATE_BODY,
        response: { 201: ARCHIVE_POLICY_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('create archive policy'), decodeJsonBody],
    },
    async (request, reply) => {
      const policy = await createArchivePolicyFromInput(
        indexer,
        request.body,
        config.archivePolicy,
      );
      reply.code(201).header('Location', locationOf(request, `/v1/archive_policy/${policy.name}`));
      return toArchivePolicyJson(policy);
    },
  );

  app.get(
    '/v1/archive_policy/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        response: { 200: ARCHIVE_POLICY_JSON, ...ERROR_RESPONSES },
      },
      preValidation: authorize('get archive policy'),
    },
    async (request) => toArchivePolicyJson(await findArchivePolicy(indexer, request.params.name)),
  );

  app.patch(
    '/v1/archive_policy/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        body: UPDATE_BODY,
        response: { 200: ARCHIVE_POLICY_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('update archive policy'), decodeJsonBody],
    },
    async (request) =>
      toArchivePolicyJson(
        await updateArchivePolicyFromInput(archivePolicies, request.params.name, request.body),
      ),
  );

  app.delete(
    '/v1/archive_policy/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        response: { 204: NO_CONTENT, ...ERROR_RESPONSES },
      },
      preValidation: authorize('delete archive policy'),
    },
    async (request, reply) => {
      await archivePolicies.deleteArchivePolicy(request.params.name);
      reply.code(204);
    },
  );

  done();
};
