/**
 * The API's logger settings: fastify's pino logger, with request headers logged for operators but
 * credentials never written out.
 */
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/** Logger options as fastify takes them (`level`, `stream`, pino options). */
export type ApiLoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** Request headers that carry secrets; their values are replaced by {@link REDACTED}. */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-auth-token',
  'x-subject-token',
];

/** What a secret is logged as. */
export const REDACTED = '[redacted]';

/** The fastify logger option for the API's logger setting: off, defaults, or given options. */
export function loggerOptions(
  logger: boolean | ApiLoggerOptions | undefined,
): false | ApiLoggerOptions {
  if (logger === undefined || logger === false) return false;
  const given: ApiLoggerOptions = logger === true ? {} : logger;
  const givenPaths = Array.isArray(given.redact) ? given.redact : (given.redact?.paths ?? []);
  return {
    ...given,
    // NOTE: the serializer already drops secrets; redaction also covers anything that logs raw
    // headers under these paths by other means.
    redact: {
      paths: [
        ...givenPaths,
        ...SECRET_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]),
      ],
      censor: REDACTED,
    },
    serializers: { req: serializeRequest, ...given.serializers },
  };
}

/** How a request is logged: what fastify logs by default, plus its headers without secrets. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...request.headers };
  for (const name of SECRET_HEADERS) {
    if (name in headers) headers[name] = REDACTED;
  }
  return {
    method: request.method,
    url: request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort,
    headers,
  };
}
