/**
 * The root decorator: puts the {@link ApiEngine} on the app as `app.engine` and gives every request
 * its lazy authorizer as `request.auth`. Wrapped with fastify-plugin so that the decorations are
 * visible to every resource plugin.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

import type { ApiEngine } from './api-deps.ts';
import { createAuthorizer, type Authorizer } from './auth/auth.ts';
import type { ErrorOverrides } from './http/errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's dependencies. */
    engine: ApiEngine;
  }
  interface FastifyRequest {
    /** Credentials and policy checks of this request, read only when asked for. */
    readonly auth: Authorizer;
  }
  interface FastifyContextConfig {
    /** How this route answers some domain errors differently from the mapping table. */
    errorOverrides?: ErrorOverrides;
    /** `false` for routes that are not JSON documents and so skip the `Accept` check. */
    negotiate?: boolean;
    /** Set on the generated routes that answer 405: the methods the path does serve. */
    methodNotAllowed?: readonly string[];
  }
}

const decorateEngine: FastifyPluginCallback<{ engine: ApiEngine }> = (app, { engine }, done) => {
  app.decorate('engine', engine);
  app.decorateRequest('auth', {
    getter() {
      const { auth: mode, remoteUserHeader } = engine.config.api;
      const peer = this.socket.remoteAddress ?? '';
      return createAuthorizer(
        { headers: this.headers, fromTrustedProxy: engine.trustProxy(peer, 0) },
        { mode, remoteUserHeader },
      );
    },
  });
  done();
};

/** Decorates the app with its engine and requests with their authorizer. */
export const enginePlugin = fp(decorateEngine, { name: 'orzo-engine', fastify: '5.x' });
