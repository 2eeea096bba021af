/**
 * `/v1/archive_policy_rule`: list (in precedence order), create, show, rename, delete; changes are
 * admin-only.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { archivePolicyRuleToJson } from '../../archive-policy/index.ts';
import { byCause } from '../http/errors.ts';
import { decodeJsonBody } from '../http/json-body.ts';
import { authorize } from '../http/request-hooks.ts';
import { locationOf } from '../http/request-urls.ts';
import {
  ARCHIVE_POLICY_RULE_JSON,
  ERROR_RESPONSES,
  NAME_PARAMS,
  NO_CONTENT,
  NO_QUERY,
} from '../views/schemas.ts';
import {
  createArchivePolicyRuleFromInput,
  findArchivePolicyRule,
  renameArchivePolicyRuleFromInput,
} from '../services/archive-policy-rules.ts';

const CREATE_BODY = Type.Object(
  { name: Type.String(), metric_pattern: Type.String(), archive_policy_name: Type.String() },
  { additionalProperties: false },
);

const RENAME_BODY = Type.Object({ name: Type.String() }, { additionalProperties: false });

/** The archive policy rule resource. */
export const archivePolicyRuleRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer } = app.engine;

  app.get(
    '/v1/archive_policy_rule',
    {
      schema: {
        querystring: NO_QUERY,
        response: { 200: Type.Array(ARCHIVE_POLICY_RULE_JSON), ...ERROR_RESPONSES },
      },
      preValidation: authorize('list archive policy rule'),
    },
    async () => (await indexer.listArchivePolicyRules()).map(archivePolicyRuleToJson),
  );

  app.post(
    '/v1/archive_policy_rule',
    {
      schema: {
        querystring: NO_QUERY,
        body: CREATE_BODY,
        response: { 201: ARCHIVE_POLICY_RULE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('create archive policy rule'), decodeJsonBody],
      // NOTE: the policy is named in the body, so its absence is the client's error, not a 404.
      config: { errorOverrides: { ARCHIVE_POLICY_NOT_FOUND: { status: 400, describe: byCause } } },
    },
    async (request, reply) => {
      const rule = await createArchivePolicyRuleFromInput(indexer, request.body);
      reply
        .code(201)
        .header('Location', locationOf(request, `/v1/archive_policy_rule/${rule.name}`));
      return archivePolicyRuleToJson(rule);
    },
  );

  app.get(
    '/v1/archive_policy_rule/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        response: { 200: ARCHIVE_POLICY_RULE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: authorize('get archive policy rule'),
    },
    async (request) =>
      archivePolicyRuleToJson(await findArchivePolicyRule(indexer, request.params.name)),
  );

  app.patch(
    '/v1/archive_policy_rule/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        body: RENAME_BODY,
        response: { 200: ARCHIVE_POLICY_RULE_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('update archive policy rule'), decodeJsonBody],
    },
    async (request) =>
      archivePolicyRuleToJson(
        await renameArchivePolicyRuleFromInput(indexer, request.params.name, request.body),
      ),
  );

  app.delete(
    '/v1/archive_policy_rule/:name',
    {
      schema: {
        params: NAME_PARAMS,
        querystring: NO_QUERY,
        response: { 204: NO_CONTENT, ...ERROR_RESPONSES },
      },
      preValidation: authorize('delete archive policy rule'),
    },
    async (request, reply) => {
      await indexer.deleteArchivePolicyRule(request.params.name);
      reply.code(204);
    },
  );

  done();
};
