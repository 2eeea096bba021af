/**
 * `GET /v1/status` (admins only): the backlog of measures waiting in the incoming store, in
 * Gnocchi's shape, with `measures_to_process` per metric unless `details=false` (counted afresh
 * while it is small, else a recent count: `BacklogCache`, its age in `Orzo-Backlog-Age`),
 * metricd's workers and their figures as its reporter last published them (see `metricd-status-json.ts`),
 * and Orzo's `ops`: the health of this process's op tracker (`ops.api`; metricd's are in its
 * statistics).
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { BacklogCache, toGnocchiStorageStatus } from '../../ingest/index.ts';
import { parseBoolean } from '../arguments/boolean-argument.ts';
import { metricdStatusJson } from '../views/metricd-status-json.ts';
import { authorize } from '../http/request-hooks.ts';
import { ERROR_RESPONSES, OPS_HEALTH_JSON } from '../views/schemas.ts';

const STATUS_QUERY = Type.Object({ details: Type.Optional(Type.String()) });

const STATUS_JSON = Type.Object({
  storage: Type.Object({
    summary: Type.Object({ metrics: Type.Integer(), measures: Type.Integer() }),
    measures_to_process: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  }),
  metricd: Type.Object({
    processors: Type.Union([Type.Array(Type.String()), Type.Null()]),
    statistics: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
    reporter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    reporters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    queue: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
  ops: Type.Object({ api: OPS_HEALTH_JSON }),
});

/** The status resource. */
export const statusRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { incoming, statusBoard, tracker, now } = app.engine;
  const backlogs = new BacklogCache(() => incoming.backlog({ details: true }));
  // NOTE: a first count at start, not awaited, so that the first status read after a restart
  // with a large backlog need not wait for one; it fails quietly where incoming is not set up.
  app.addHook('onReady', (hookDone) => {
    backlogs.read().catch(() => undefined);
    hookDone();
  });

  app.get(
    '/v1/status',
    {
      schema: { querystring: STATUS_QUERY, response: { 200: STATUS_JSON, ...ERROR_RESPONSES } },
      preValidation: [authorize('get status')],
    },
    async (request, reply) => {
      // NOTE: as in Gnocchi, details default to true on this endpoint.
      const details = parseBoolean('details', request.query.details ?? 'true');
      const [{ backlog, ageMs }, metricd] = await Promise.all([
        backlogs.read(),
        // NOTE: an unreachable status board (Redis down) reads as no metricd, as in Gnocchi.
        statusBoard?.read().catch((error: unknown) => {
          request.log.warn({ err: error }, 'reading metricd status failed');
          return undefined;
        }),
      ]);
      void reply.header('orzo-backlog-age', (ageMs / 1000).toFixed(3));
      return {
        storage: toGnocchiStorageStatus(backlog, details),
        metricd: metricdStatusJson(metricd, now()),
        ops: { api: tracker.health() },
      };
    },
  );

  done();
};
