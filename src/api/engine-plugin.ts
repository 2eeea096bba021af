/**
 * The root decorator: puts the {@link ApiEngine} on the app as `app.engine` and gives every request
 * its lazy authorizer as `request.auth`. In the `verified` and `keystone` modes it also
 * authenticates every request under `/v1` as it arrives, before its body is read. Wrapped with fastify-plugin so that the
 * decorations and the hook reach every resource plugin.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

import type { ApiEngine } from './api-deps.ts';
import { createAuthorizer, type Authorizer } from './auth/auth.ts';
import type { Credentials } from './auth/policies.ts';
import { createAuthenticator } from './auth/create-authenticator.ts';
import type { ErrorOverrides } from './http/errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's dependencies. */
    engine: ApiEngine;
  }
  interface FastifyRequest {
    /** Credentials and policy checks of this request, read only when asked for. */
    readonly auth: Authorizer;
    /** The credentials the `verified` or `keystone` mode found for this request. */
    authenticatedCredentials: Credentials | undefined;
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
  app.decorateRequest('authenticatedCredentials', undefined);
  app.decorateRequest('auth', {
    getter() {
      const { auth: mode, remoteUserHeader } = engine.config.api;
      const peer = this.socket.remoteAddress ?? '';
      return createAuthorizer(
        {
          headers: this.headers,
          fromTrustedProxy: engine.trustProxy(peer, 0),
          authenticated: this.authenticatedCredentials,
        },
        { mode, remoteUserHeader },
      );
    },
  });
  const authenticator = createAuthenticator({
    api: engine.config.api,
    accounts: engine.indexer,
    onFailure: (failure) => {
      app.log.warn({ auth: failure }, 'authentication failed');
    },
  });
  if (authenticator !== undefined) {
    // NOTE: once every onRequest hook has run (the request is an op by then), and before the
    // body is read, so that an anonymous client cannot make the API buffer and parse one.
    app.addHook('preParsing', async (request, _reply, payload) => {
      // NOTE: by the route matched, not the raw URL, which may spell the path otherwise
      // (`/%761/metric` is routed to `/v1/metric`).
      if (needsAuthentication(request.method, request.routeOptions.url ?? request.url)) {
        request.authenticatedCredentials = await authenticator.authenticate(
          request.headers,
          request.ip,
        );
      }
      return payload;
    });
  }
  done();
};

/**
 * Whether the authenticating modes authenticate a request: everything under `/v1` (as Keystone's
 * middleware guards Gnocchi's `/v1`) and the console's session check, but not `/`, the probes
 * `/healthcheck` and `/ready`, the scrape target `/metrics`, the console's static assets, nor a
 * CORS preflight, which carries no credentials.
 */
function needsAuthentication(method: string, route: string): boolean {
  if (method === 'OPTIONS') return false;
  return (
    route === '/v1' ||
    route.startsWith('/v1/') ||
    route.startsWith('/v1?') ||
    route === CONSOLE_SESSION_ROUTE
  );
}

/** The console's sign-in check (`routes/console.ts`), which authenticates as `/v1` does. */
export const CONSOLE_SESSION_ROUTE = '/console/session';

/** Decorates the app with its engine and requests with their authorizer. */
export const enginePlugin = fp(decorateEngine, { name: 'orzo-engine', fastify: '5.x' });
