/**
 * CORS as Gnocchi configures oslo.middleware's: only the configured origins get CORS headers (any
 * other origin gets none, preflight included), credentials are allowed, and a preflight is granted
 * for the methods the API serves and the headers Gnocchi lists, answering with the method asked.
 */
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyReply, FastifyRequest } from 'fastify';

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
  const granted = grantsCors(allowedOrigins);
  return {
    delegator: (request: FastifyRequest, callback) => {
      const origin = request.headers.origin;
      if (origin === undefined || !granted(request)) {
        callback(null, { origin: false });
        return;
      }
      const method = preflightMethod(request);
      callback(null, {
        origin,
        credentials: true,
        // NOTE: oslo.middleware answers a granted preflight 200, as Gnocchi does.
        optionsSuccessStatus: 200,
        methods: method === undefined ? [...CORS_ALLOWED_METHODS] : [method],
        allowedHeaders: [...CORS_ALLOWED_HEADERS],
        // NOTE: an OPTIONS request without Access-Control-Request-Method is not a preflight;
        // strict mode would answer it with a text/plain 400.
        strictPreflight: false,
      });
    },
  };
}

/**
 * An onRequest hook answering a preflight that CORS does not grant (another origin, another
 * method, or no origin allowed at all) with a plain 200 and no CORS headers, as Gnocchi behind
 * oslo.middleware does; the browser then refuses the request itself.
 */
export function refusedPreflightHook(
  allowedOrigins: readonly string[],
): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  const granted = grantsCors(allowedOrigins);
  return (request, reply, done) => {
    const isPreflight =
      preflightMethod(request) !== undefined && request.headers.origin !== undefined;
    if (isPreflight && !granted(request)) {
      void reply.code(200).send();
      return;
    }
    done();
  };
}

/** Whether CORS is granted to a request's origin (and, for a preflight, method). */
function grantsCors(allowedOrigins: readonly string[]): (request: FastifyRequest) => boolean {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return (request) => {
    const origin = request.headers.origin;
    const method = preflightMethod(request);
    const originAllowed = origin !== undefined && (anyOrigin || allowed.has(origin));
    return originAllowed && (method === undefined || CORS_ALLOWED_METHODS.includes(method));
  };
}

function preflightMethod(request: FastifyRequest): string | undefined {
  if (request.method !== 'OPTIONS') return undefined;
  const method = request.headers['access-control-request-method'];
  return typeof method === 'string' ? method.trim().toUpperCase() : undefined;
}
