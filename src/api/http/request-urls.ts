/**
 * URLs derived from the request being answered, as the client (through trusted proxies) sees the
 * API: `Location` of created objects, the page URL of `Link` headers, hrefs of root documents.
 */
import type { FastifyRequest } from 'fastify';

import { absoluteUrl, publicUrl } from './public-url.ts';

/** The absolute, percent-encoded URL of an API path such as `/v1/metric/<id>`. */
export function locationOf(request: FastifyRequest, path: string): string {
  return absoluteUrl(publicUrl(request, request.server.engine.trustProxy), path);
}

/** The absolute URL of the requested path without its query string (webob's `path_url`). */
export function pageUrlOf(request: FastifyRequest): string {
  const { origin, prefix } = publicUrl(request, request.server.engine.trustProxy);
  const path = request.url.split('?', 1)[0] ?? '';
  return `${origin}${prefix}${path}`;
}

/** The absolute URL of the application root, without a trailing slash. */
export function applicationUrlOf(request: FastifyRequest): string {
  const { origin, prefix } = publicUrl(request, request.server.engine.trustProxy);
  return `${origin}${prefix}`;
}
