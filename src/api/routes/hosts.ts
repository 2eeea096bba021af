/**
 * `GET /v1/host/{name}/now`: the newest sample of a polled host as the poller last stored it
 * (gpperfmon's now view), with the agent's state; for whoever may read the host's resource.
 * The figures are raw as sampled, counters with their per-second rate as `<name>:rate`. A host
 * not yet polled answers with no figures.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { dateToMicros } from '../../grammar/index.ts';
import { ResourceNotFoundError, ResourceTypeNotFoundError } from '../../indexer/index.ts';
import { HOST_RESOURCE_TYPE, hostResourceId } from '../../resource/index.ts';
import { findResource } from '../services/resources.ts';
import { ERROR_RESPONSES } from '../views/schemas.ts';

const NULLABLE_TIME = Type.Union([Type.String(), Type.Null()]);

const HOST_NOW_JSON = Type.Object({
  host: Type.String(),
  address: Type.String(),
  up: Type.Boolean(),
  last_contact: NULLABLE_TIME,
  sampled_at: NULLABLE_TIME,
  updated_at: NULLABLE_TIME,
  quantum_seconds: Type.Union([Type.Number(), Type.Null()]),
  agent_dropped: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  figures: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
});

/** The host resources. */
export const hostRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, hostNowBoard, now } = app.engine;

  app.get(
    '/v1/host/:name/now',
    {
      schema: {
        params: Type.Object({ name: Type.String() }),
        response: { 200: HOST_NOW_JSON, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { name } = request.params;
      const context = { indexer, auth: request.auth, now: dateToMicros(now()) };
      let resource;
      try {
        resource = await findResource(
          context,
          HOST_RESOURCE_TYPE,
          hostResourceId(name),
          'get resource',
        );
      } catch (error) {
        if (error instanceof ResourceTypeNotFoundError || error instanceof ResourceNotFoundError) {
          throw new ResourceNotFoundError(name);
        }
        throw error;
      }
      const view = await hostNowBoard?.read(resource.id);
      const quantum = resource.attributes.quantum;
      return {
        host: name,
        address: view?.address ?? String(resource.attributes.address ?? ''),
        up: view?.up ?? false,
        last_contact: view?.lastContact ?? null,
        sampled_at: view?.sampledAt ?? null,
        updated_at: view?.updatedAt ?? null,
        quantum_seconds: view?.quantumSeconds ?? (typeof quantum === 'number' ? quantum : null),
        agent_dropped: view?.agentDropped ?? 0,
        last_error: view?.lastError ?? null,
        // NOTE: JSON has no NaN; a figure that is not a number reads as null.
        figures: Object.fromEntries(
          Object.entries(view?.figures ?? {}).map(([key, value]) => [
            key,
            Number.isFinite(value) ? value : null,
          ]),
        ),
      };
    },
  );

  done();
};
