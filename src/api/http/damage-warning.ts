/**
 * Says so when an answer lacks points because a stored bundle failed to decode: the answer
 * stays what Gnocchi clients expect (a 200 with the points that could be read), and carries a
 * `Warning: 199` header naming the damaged objects, which a read cannot repair (it holds no
 * lock); the next processing of the metric keeps them aside and rebuilds them.
 */
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import type { Storage } from '../../storage/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** `<metric id>/<object>` of every damaged bundle this request's reads met. */
    damagedObjects: string[] | null;
  }
}

/** Objects named in one header; the rest are counted. */
const MAX_NAMED = 10;

/** The reads of one request, noting the damaged bundles they meet. */
export function requestReads(
  storage: Pick<Storage, 'getMeasures'>,
  request: FastifyRequest,
): Pick<Storage, 'getMeasures'> {
  return {
    getMeasures: async (metricId, policy, query) => {
      const read = await storage.getMeasures(metricId, policy, query);
      for (const { damaged } of read ?? []) {
        if (damaged === undefined) continue;
        request.damagedObjects ??= [];
        for (const object of damaged) request.damagedObjects.push(`${metricId}/${object}`);
      }
      return read;
    },
  };
}

/** The `Warning` header value for damaged objects. */
export function damageWarning(objects: readonly string[]): string {
  const named = objects.slice(0, MAX_NAMED).join(', ');
  const more = objects.length > MAX_NAMED ? ` and ${objects.length - MAX_NAMED} more` : '';
  return `199 orzo "Stored aggregates failed to decode and their points are missing from this answer: ${named}${more}"`;
}

const damageWarnings: FastifyPluginCallback = (app, _options, done) => {
  app.decorateRequest('damagedObjects', null);
  app.addHook('onSend', (request, reply, payload, next) => {
    if (request.damagedObjects !== null) {
      reply.header('warning', damageWarning(request.damagedObjects));
    }
    next(null, payload);
  });
  done();
};

/** Adds the `Warning` header to answers whose reads met damaged bundles. */
export const damageWarningPlugin = fp(damageWarnings, {
  name: 'orzo-damage-warning',
  fastify: '5.x',
});
