/**
 * CORS as Gnocchi configures oslo.middleware's: only the configured origins get CORS headers (any
 * other origin gets none, preflight included), credentials are allowed, and a preflight is granted
 * for the methods the API serves and the headers Gnocchi lists, answering with the method asked.
 */
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';

/** Methods a cross-origin request may use (oslo's default `allow_methods`). */
export const CORS_ALLOWED_METHODS: readonly string[] = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];

/** Request headers a cross-origin request may send (Gnocchi's `allow_headers` plus simple ones). */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'Authorization',
  'X-Auth-Token',
  'X-Subject-Token',
  'X-User-Id',
  'X-Domain-Id',
  'X-Project-Id',
  'X-Roles',
  'Accept',
  'Accept-Language',
  'Content-Language',
  'Content-Type',
];

/** Options of `@fastify/cors` granting CORS to exactly the allowed origins (`*`: any). */
export function corsOptions(allowedOrigins: readonly string[]): FastifyCorsOptions {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return {
    delegator: (request: FastifyRequest, callback) => {
      const origin = request.headers.origin;
      const method = preflightMethod(request);
      const originAllowed = origin !== undefined && (anyOrigin || allowed.has(origin));
      if (!originAllowed || (method !== undefined && !CORS_ALLOWED_METHODS.includes(method))) {
        callback(null, { origin: false });
        return;
      }
      callback(null, {
        origin,
        credentials: true,
        methods: method === undefined ? [...CORS_ALLOWED_METHODS] : [method],
        allowedHeaders: [...CORS_ALLOWED_HEADERS],
        // NOTE: an OPTIONS request without Access-Control-Request-Method is not a preflight;
        // strict mode would answer it with a text/plain 400.
        strictPreflight: false,
      });
    },
  };
}

function preflightMethod(request: FastifyRequest): string | undefined {
  if (request.method !== 'OPTIONS') return undefined;
  const method = request.headers['access-control-request-method'];
  return typeof method === 'string' ? method.trim().toUpperCase() : undefined;
}
