/**
 * `POST /v1/prometheus/write`: Prometheus remote write (a snappy-compressed protocol-buffers
 * `WriteRequest`, `remote-write-body.ts`), stored as `prometheus-write.ts` maps it; 202 once the
 * incoming store holds the samples, as Gnocchi answers.
 */
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { dateToMicros } from '../../grammar/index.ts';
import { requireCaller } from '../http/request-hooks.ts';
import { decodeRemoteWrite } from '../ingest/remote-write-body.ts';
import { writeRemoteSeries } from '../services/prometheus-write.ts';
import { ERROR_RESPONSES, NO_QUERY } from '../views/schemas.ts';

const ACCEPTED = { 202: Type.Null({ description: 'accepted, empty body' }), ...ERROR_RESPONSES };

/** The remote-write resource. */
export const prometheusWriteRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { indexer, incoming, now, config } = app.engine;

  app.post(
    '/v1/prometheus/write',
    {
      schema: {
        querystring: NO_QUERY,
        body: Type.Unknown({ description: 'snappy-compressed protobuf WriteRequest' }),
        response: ACCEPTED,
      },
      // NOTE: Prometheus asks for nothing in particular; the answer is empty or an error.
      config: { negotiate: false },
      preValidation: [requireCaller],
    },
    async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const series = decodeRemoteWrite(body, config.api.bodyLimitBytes);
      await writeRemoteSeries(
        {
          indexer,
          incoming,
          auth: request.auth,
          op: request.op,
          now: dateToMicros(now()),
        },
        series,
        { labelsInName: config.api.prometheusLabelsInName },
      );
      reply.code(202);
      return null;
    },
  );

  done();
};
