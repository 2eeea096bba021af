/**
 * 405 for a known path asked with a method it does not serve (HEAD included: fastify's automatic
 * HEAD routes are off, as Gnocchi answers HEAD with 405), where fastify alone would answer 404.
 *
 * The paths and their methods are recorded as routes are added; a plugin registered after all the
 * resource plugins then adds, for each path, one route taking every other method.
 */
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';

import { MethodNotAllowedError } from './request-errors.ts';

/** The methods each route path serves. */
export type RouteMethods = ReadonlyMap<string, ReadonlySet<string>>;

/** Starts recording the routes added to the app from now on; returns the (live) record. */
export function recordRouteMethods(app: FastifyInstance): RouteMethods {
  const routes = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    // NOTE: wildcard routes (CORS preflight) and the generated routes themselves are left out.
    if (route.config?.methodNotAllowed !== undefined || route.url.includes('*')) return;
    const methods = routes.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    routes.set(route.url, methods);
  });
  return routes;
}

/** Adds the 405 routes; register it after every resource plugin. */
export const methodNotAllowedPlugin: FastifyPluginCallback<{ routes: RouteMethods }> = (
  app,
  { routes },
  done,
) => {
  for (const [url, methods] of [...routes]) {
    const allowed = [...methods].sort();
    app.route({
      method: app.supportedMethods.filter((method) => !methods.has(method)),
      url,
      config: { methodNotAllowed: allowed },
      handler: (request) => {
        throw new MethodNotAllowedError(request.method, allowed);
      },
    });
  }
  done();
};
