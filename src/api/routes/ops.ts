/**
 * `GET /v1/ops/<dump>` (admins only): one op dump (Ceph's `dump_ops_in_flight`,
 * `dump_blocked_ops`, `dump_historic_ops`, `dump_historic_ops_by_duration`,
 * `dump_historic_slow_ops`) of this process and of every metricd process on the data folder,
 * optionally filtered by exact `kind` and by a `description` substring (e.g. a metric id).
 *
 * ```json
 * { "api": { "<host>.<pid>.api": <dump> },
 *   "metricd": { "<host>.<pid>.reporter": <dump>, "<host>.<pid>.worker-0": <dump> } }
 * ```
 *
 * Dump shapes are in `src/optracker/op-json.ts`; an unknown dump name is a 404.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { authorize } from '../http/request-hooks.ts';
import { ERROR_RESPONSES, OPS_DUMP_JSON } from '../views/schemas.ts';
import { gatherOps, type OpsJson } from '../services/ops.ts';

const OPS_PARAMS = Type.Object({ dump: Type.String() });

const OPS_QUERY = Type.Object({
  kind: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  description: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
});

/** Typed as the dumps the tracker returns, whose arrays are read-only. */
const OPS_JSON = Type.Unsafe<OpsJson>(
  Type.Object({
    api: Type.Record(Type.String(), OPS_DUMP_JSON),
    metricd: Type.Record(Type.String(), Type.Unknown()),
  }),
);

/** The op dumps resource. */
export const opsRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { tracker, metricdOps } = app.engine;

  app.get(
    '/v1/ops/:dump',
    {
      schema: {
        params: OPS_PARAMS,
        querystring: OPS_QUERY,
        response: { 200: OPS_JSON, ...ERROR_RESPONSES },
      },
      preValidation: [authorize('get ops')],
    },
    async (request) => {
      const { kind, description } = request.query;
      return gatherOps({ tracker, metricdOps }, request.params.dump, {
        ...(kind === undefined ? {} : { kind }),
        ...(description === undefined ? {} : { description }),
      });
    },
  );

  done();
};
