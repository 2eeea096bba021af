/**
 * The one mapping from errors to HTTP answers.
 *
 * Every error reaching fastify's error handler (thrown by a handler, service, hook, the validator,
 * fastify itself) is looked up here by its stable `code`, and answered with Gnocchi's JSON error
 * body `{"code": <status>, "title": "<reason phrase>", "description": <string | object | null>}`.
 * Gnocchi sends that body only to clients asking for JSON, and text/plain otherwise; Orzo always
 * sends the JSON. Anything unknown is logged and answered with a bare 500.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import {
  InvalidArchivePolicyError,
  InvalidArchivePolicyRuleError,
} from '../../archive-policy/index.ts';
import { FillLimitExceededError, UnaggregableSeriesError } from '../../carbonara/index.ts';
import { EngineError, type ErrorCode } from '../../errors/index.ts';
import {
  formatSecondsFloat,
  InvalidFilterError,
  InvalidOperationsError,
} from '../../grammar/index.ts';
import {
  ArchivePolicyNotFoundError,
  MetricNotFoundError,
  NamedMetricAlreadyExistsError,
} from '../../indexer/index.ts';
import { InvalidMeasuresError } from '../../ingest/index.ts';
import { InvalidResourceInputError } from '../../resource/index.ts';
import {
  AggregationMethodNotFoundError,
  AuthenticationRequiredError,
  InvalidCredentialsError,
  InvalidArgumentValueError,
  InvalidInputError,
  InvalidMetricError,
  MethodNotAllowedError,
  RouteNotFoundError,
  TooManyFailedLoginsError,
  UndecodableBodyError,
  UnknownResourcesError,
  InfluxBadWriteError,
} from './request-errors.ts';
import {
  InvalidMetricReferencesError,
  MetricReferencesNotFoundError,
  MetricWithoutMeasuresError,
  OperationsWithoutMetricError,
  UnknownAggregationReferencesError,
} from './aggregates-errors.ts';
import { voluptuousDetail, voluptuousReason } from './voluptuous.ts';

/** The `description` of an error body. */
export type ErrorDescription = string | null | Readonly<Record<string, unknown>>;

/** The error body, as Gnocchi renders it. */
export interface ErrorBody {
  readonly code: number;
  readonly title: string;
  readonly description: ErrorDescription;
}

/** What a description may depend on besides the error. */
export interface ErrorContext {
  /** The route's body limit, in bytes. */
  readonly bodyLimit: number;
}

/** How one kind of error is answered. */
export interface ErrorMapping {
  readonly status: number;
  readonly describe: (error: Error, context: ErrorContext) => ErrorDescription;
}

/** Per-route replacements of table entries, by error code (Gnocchi's per-endpoint quirks). */
export type ErrorOverrides = Readonly<Partial<Record<ErrorCode, ErrorMapping>>>;

/** Marks an engine error that is the server's own failure: logged, and answered 500. */
const INTERNAL = 'internal' as const;

/** The error's message, as Gnocchi's `abort(status, str(e))`. */
export const byMessage = (error: Error): ErrorDescription => error.message;
/** An empty description, as Gnocchi's bare `abort(403)`. */
const empty = (): ErrorDescription => '';

/** The `{cause, detail}` object Gnocchi's `jsonify()` gives an error, else its message. */
export function byCause(error: Error): ErrorDescription {
  if (error instanceof ArchivePolicyNotFoundError) {
    return { cause: 'Archive policy does not exist', detail: error.archivePolicyName };
  }
  if (error instanceof NamedMetricAlreadyExistsError) {
    return { cause: 'Named metric already exists', detail: error.metricName };
  }
  if (error instanceof MetricNotFoundError) {
    return { cause: 'Metric not found', detail: error.metricId };
  }
  return error.message;
}

/** A voluptuous-style `{cause, reason, detail}` for an input error located by its path. */
function byInput(error: Error): ErrorDescription {
  if (error instanceof InvalidMetricError && error.attribute !== undefined) {
    return { cause: 'Attribute value error', detail: error.attribute, reason: error.message };
  }
  const path =
    error instanceof InvalidInputError ||
    error instanceof InvalidMetricError ||
    error instanceof InvalidArchivePolicyError ||
    error instanceof InvalidArchivePolicyRuleError ||
    error instanceof InvalidResourceInputError
      ? error.path
      : undefined;
  if (path === undefined) return error.message;
  const query = error instanceof InvalidInputError && error.part === 'querystring';
  return {
    cause: query ? 'Argument value error' : 'Invalid input',
    reason: voluptuousReason(error.message, path),
    detail: voluptuousDetail(path),
  };
}

/** A JSON filter's fault as voluptuous words it; a string filter's as its message. */
function byFilter(error: Error): ErrorDescription {
  if (!(error instanceof InvalidFilterError) || error.form === 'string') return error.message;
  return {
    cause: 'Invalid input',
    reason: voluptuousReason(error.message, error.path),
    detail: voluptuousDetail(error.path),
  };
}

/** Operations that are no valid tree, located below `operations` as voluptuous locates them. */
function byOperations(error: Error): ErrorDescription {
  const path = ['operations', ...(error instanceof InvalidOperationsError ? error.path : [])];
  return {
    cause: 'Invalid input',
    reason: voluptuousReason(error.message, path),
    detail: voluptuousDetail(path),
  };
}

const byOperationsString = (error: Error): ErrorDescription => ({
  cause: 'Invalid operations',
  reason: 'Fail to parse the operations string',
  detail: error.message,
});

const byUnaggregable = (error: Error): ErrorDescription => ({
  cause: 'Metrics cannot be aggregated',
  reason: error.message,
  detail: error instanceof UnaggregableSeriesError ? error.references : [],
});

/** The `{cause, reason?, detail}` of the aggregates API's refusals about references. */
function byReferences(error: Error): ErrorDescription {
  if (error instanceof OperationsWithoutMetricError) {
    return { cause: 'Operations is invalid', reason: error.message, detail: error.operations };
  }
  if (error instanceof InvalidMetricReferencesError) {
    return { cause: 'Invalid metric references', reason: error.message, detail: error.references };
  }
  if (error instanceof MetricReferencesNotFoundError) {
    return { cause: 'Unknown metrics', reason: error.message, detail: error.metricIds };
  }
  if (error instanceof UnknownAggregationReferencesError) {
    return { cause: error.message, detail: error.references };
  }
  if (error instanceof MetricWithoutMeasuresError) {
    return { cause: 'Metric does not exist', detail: { metric: error.metric } };
  }
  return error.message;
}

const byUnknownResources = (error: Error): ErrorDescription =>
  error instanceof UnknownResourcesError
    ? { cause: 'Unknown resources', detail: error.resources }
    : error.message;

const byArgument = (error: Error): ErrorDescription => ({
  cause: 'Argument value error',
  reason: error.message,
});

/** Gnocchi's `validate_qs` description: the argument in `detail`, what is wrong in `reason`. */
const byArgumentValue = (error: Error): ErrorDescription => ({
  cause: 'Argument value error',
  detail: error instanceof InvalidArgumentValueError ? error.argument : null,
  reason: error.message,
});

const byMissingAggregationMethod = (error: Error): ErrorDescription =>
  error instanceof AggregationMethodNotFoundError
    ? {
        cause: 'Aggregation method does not exist for this metric',
        detail: { metric: error.metricId, aggregation_method: error.aggregationMethod },
      }
    : error.message;

/** A fill too large, answered as a bad `fill` argument (Orzo's `fill` on single-metric reads). */
function byFillLimit(error: Error): ErrorDescription {
  if (!(error instanceof FillLimitExceededError)) return error.message;
  const { granularity, limit } = error;
  const at = typeof granularity === 'number' ? formatSecondsFloat(granularity) : granularity;
  return {
    cause: 'Argument value error',
    detail: 'fill',
    reason: `Filling would add more than ${limit} points at granularity ${at}; narrow start and stop`,
  };
}

const byUndecodable = (error: Error): ErrorDescription => ({
  cause: 'Unable to decode body',
  reason: error instanceof UndecodableBodyError ? error.reason : error.message,
  detail: [],
});

/**
 * Gnocchi's voluptuous-style description of refused measures, with the offending measure's place
 * (`[index]`, or `[metric id, index]` in a batch) in `detail`, and what was wrong with it.
 */
function byMeasures(error: Error): ErrorDescription {
  if (!(error instanceof InvalidMeasuresError)) return error.message;
  // NOTE: a body of the wrong shape (`[["ts", 1]]`) is located no deeper than its metric, and
  // explained no further, as Gnocchi does.
  const shape = error.reason === 'format';
  const path = [error.metricKey, shape ? undefined : error.index].filter(
    (part) => part !== undefined,
  );
  return {
    cause: 'Invalid input',
    reason: error.message,
    detail: path.map(String),
    ...(error.detail === undefined || shape ? {} : { explanation: error.detail }),
  };
}

const bodyTooLarge = (_error: Error, context: ErrorContext): ErrorDescription =>
  `Request body is larger than the limit of ${context.bodyLimit} bytes`;

/**
 * How every engine error is answered, by code. The compiler holds this record against the union
 * of codes, so a new code is either answered here or declared {@link INTERNAL}.
 */
const ENGINE_ERROR_ANSWERS: Readonly<Record<ErrorCode, ErrorMapping | typeof INTERNAL>> = {
  // The request itself (./request-errors.ts).
  AUTHENTICATION_REQUIRED: { status: 401, describe: byMessage },
  INVALID_CREDENTIALS: { status: 401, describe: byMessage },
  TOO_MANY_FAILED_LOGINS: { status: 429, describe: byMessage },
  KEYSTONE_UNAVAILABLE: { status: 503, describe: byMessage },
  // NOTE: Gnocchi's webob text; clients match on it.
  POLICY_DENIED: { status: 403, describe: () => 'Access was denied to this resource.' },
  NOT_ACCEPTABLE: { status: 406, describe: () => null },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, describe: byMessage },
  UNDECODABLE_BODY: { status: 400, describe: byUndecodable },
  INVALID_INPUT: { status: 400, describe: byInput },
  INVALID_ARGUMENT: { status: 400, describe: byArgument },
  INVALID_ARGUMENT_VALUE: { status: 400, describe: byArgumentValue },
  METHOD_NOT_ALLOWED: { status: 405, describe: empty },
  SHUTTING_DOWN: { status: 503, describe: byMessage },
  ROUTE_NOT_FOUND: { status: 404, describe: byMessage },
  OPS_DUMP_NOT_FOUND: { status: 404, describe: byMessage },
  INVALID_SUBHEALTH_SETTINGS: { status: 400, describe: byMessage },
  SUBHEALTH_GROUP_NOT_FOUND: { status: 404, describe: byMessage },
  UNKNOWN_RESOURCES: { status: 400, describe: byUnknownResources },
  INFLUX_BAD_WRITE: {
    status: 400,
    describe: (error) => (error instanceof InfluxBadWriteError ? error.description : error.message),
  },
  INFLUX_QUERY_NOT_IMPLEMENTED: {
    status: 501,
    describe: () => ({
      cause: 'Not implemented error',
      detail: 'q',
      reason: 'Query not implemented',
    }),
  },
  PRECONDITION_FAILED: { status: 412, describe: empty },
  EMPTY_FILTER: { status: 400, describe: byMessage },
  INVALID_METRIC: { status: 400, describe: byInput },
  // The value grammar (src/grammar), archive policies and rules (src/archive-policy).
  INVALID_TIMESPAN: { status: 400, describe: byMessage },
  INVALID_RESOURCE_ID: { status: 400, describe: byMessage },
  INVALID_FILTER: { status: 400, describe: byFilter },
  INVALID_OPERATIONS: { status: 400, describe: byOperations },
  INVALID_OPERATIONS_STRING: { status: 400, describe: byOperationsString },
  INVALID_ARCHIVE_POLICY: { status: 400, describe: byInput },
  INVALID_ARCHIVE_POLICY_RULE: { status: 400, describe: byInput },
  UNSUPPORTED_ARCHIVE_POLICY_CHANGE: { status: 400, describe: byMessage },
  NO_ARCHIVE_POLICY_RULE_MATCH: { status: 400, describe: byMessage },
  // Resource types and resources (src/resource).
  INVALID_RESOURCE_INPUT: { status: 400, describe: byInput },
  INVALID_RESOURCE_TYPE_CHANGE: { status: 400, describe: byMessage },
  RESOURCE_TYPE_PATCH_FAILED: { status: 400, describe: byMessage },
  // The indexer (src/indexer/errors.ts).
  RESOURCE_TYPE_NOT_FOUND: { status: 404, describe: byMessage },
  RESOURCE_TYPE_ALREADY_EXISTS: { status: 409, describe: byMessage },
  RESOURCE_TYPE_IN_USE: { status: 400, describe: byMessage },
  RESOURCE_NOT_FOUND: { status: 404, describe: byMessage },
  RESOURCE_ALREADY_EXISTS: { status: 409, describe: byMessage },
  INVALID_RESOURCE_FIELD: { status: 400, describe: byMessage },
  ARCHIVE_POLICY_NOT_FOUND: { status: 404, describe: byMessage },
  ARCHIVE_POLICY_ALREADY_EXISTS: { status: 409, describe: byMessage },
  ARCHIVE_POLICY_IN_USE: { status: 400, describe: byMessage },
  ARCHIVE_POLICY_RULE_NOT_FOUND: { status: 404, describe: byMessage },
  ARCHIVE_POLICY_RULE_ALREADY_EXISTS: { status: 409, describe: byMessage },
  UNSUPPORTED_ARCHIVE_POLICY_RULE_CHANGE: { status: 400, describe: byMessage },
  METRIC_NOT_FOUND: { status: 404, describe: byMessage },
  METRIC_ALREADY_EXISTS: { status: 409, describe: byMessage },
  NAMED_METRIC_ALREADY_EXISTS: { status: 400, describe: byCause },
  INVALID_PAGINATION: { status: 400, describe: byMessage },
  INDEXER_UNAVAILABLE: { status: 503, describe: byMessage },
  API_USER_NOT_FOUND: { status: 404, describe: byMessage },
  API_USER_ALREADY_EXISTS: { status: 409, describe: byMessage },
  API_TOKEN_NOT_FOUND: { status: 404, describe: byMessage },
  // Measures in (src/ingest/errors.ts).
  INVALID_MEASURES: { status: 400, describe: byMeasures },
  UNKNOWN_METRICS: { status: 400, describe: byMessage },
  INCOMING_UNAVAILABLE: { status: 503, describe: byMessage },
  INCOMING_NOT_INITIALIZED: { status: 503, describe: byMessage },
  SACK_COUNT_CHANGE_REFUSED: INTERNAL,
  // Measures out (./request-errors.ts).
  INVALID_RESAMPLE: { status: 400, describe: byMessage },
  AGGREGATION_METHOD_NOT_FOUND: { status: 404, describe: byMissingAggregationMethod },
  AGGREGATION_NOT_FOUND: { status: 404, describe: byMessage },
  METRIC_LOCKED: { status: 503, describe: byMessage },
  FILL_LIMIT_EXCEEDED: { status: 400, describe: byFillLimit },
  UNAGGREGABLE_SERIES: { status: 400, describe: byUnaggregable },
  OPERATIONS_WITHOUT_METRIC: { status: 400, describe: byReferences },
  INVALID_METRIC_REFERENCES: { status: 400, describe: byReferences },
  METRIC_REFERENCES_NOT_FOUND: { status: 404, describe: byReferences },
  UNKNOWN_AGGREGATION_REFERENCES: { status: 404, describe: byReferences },
  NO_MATCHING_METRICS: { status: 404, describe: byMessage },
  METRIC_WITHOUT_MEASURES: { status: 400, describe: byReferences },
  INVALID_AGGREGATION_REQUEST: { status: 400, describe: byMessage },
  BODY_TOO_COMPLEX: { status: 413, describe: byMessage },
  // Aggregates (src/storage/errors.ts).
  STORAGE_UNAVAILABLE: { status: 503, describe: byMessage },
  FENCED_WRITE: INTERNAL,
  // Failures of the engine itself, never caused by a request.
  INVALID_CONFIG: INTERNAL,
  INVALID_DATA: INTERNAL,
  BEFORE_EPOCH: INTERNAL,
  UNKNOWN_AGGREGATION_METHOD: INTERNAL,
  INVALID_SAMPLING: INTERNAL,
  LOCK_UNAVAILABLE: INTERNAL,
  LOCK_LOST: INTERNAL,
};

/** Fastify's own refusals of a request that the API answers in its own words. */
const FASTIFY_ERROR_ANSWERS: Readonly<Record<string, ErrorMapping>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, describe: bodyTooLarge },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, describe: empty },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, describe: byMessage },
  FST_ERR_BAD_URL: { status: 400, describe: byMessage },
};

/** Status and description of every error the API answers on purpose, by code. */
export const ERROR_TABLE: Readonly<Record<string, ErrorMapping>> = {
  ...Object.fromEntries(
    Object.entries(ENGINE_ERROR_ANSWERS).filter(
      (entry): entry is [string, ErrorMapping] => entry[1] !== INTERNAL,
    ),
  ),
  ...FASTIFY_ERROR_ANSWERS,
};

const INTERNAL_ERROR: ErrorMapping = {
  status: 500,
  describe: () =>
    'The server has either erred or is incapable of performing the requested operation.',
};

/** The status and body answering an error, given the route's overrides. */
export function renderError(
  error: unknown,
  context: ErrorContext,
  overrides: ErrorOverrides = {},
): { status: number; body: ErrorBody } {
  const failure = error instanceof Error ? error : new Error(String(error));
  const mapping = findMapping(failure, overrides);
  return {
    status: mapping.status,
    body: {
      code: mapping.status,
      title: STATUS_CODES[mapping.status] ?? 'Error',
      description: mapping.describe(failure, context),
    },
  };
}

/**
 * Whether the engine refused `error`'s request for what it asked (a 4xx), so that asking again
 * cannot succeed, unlike a failing backend.
 */
export function isRefusal(error: unknown): boolean {
  if (!(error instanceof EngineError)) return false;
  const { status } = findMapping(error, {});
  return status >= 400 && status < 500;
}

function findMapping(error: Error, overrides: ErrorOverrides): ErrorMapping {
  if (error instanceof EngineError) {
    const answer = overrides[error.code] ?? ENGINE_ERROR_ANSWERS[error.code];
    return answer === INTERNAL ? INTERNAL_ERROR : answer;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    const mapping = FASTIFY_ERROR_ANSWERS[code];
    if (mapping !== undefined && code.startsWith('FST_')) return mapping;
  }
  // NOTE: fastify's other refusals of a request (codes FST_…) carry their 4xx status.
  const status = (error as Partial<FastifyError>).statusCode;
  if (
    !(error instanceof EngineError) &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  ) {
    return { status, describe: byMessage };
  }
  return INTERNAL_ERROR;
}

/** Answers an error: logs server errors, adds `Allow` to a 405, sends the JSON body. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = renderError(
    error,
    { bodyLimit: request.routeOptions.bodyLimit },
    request.routeOptions.config.errorOverrides,
  );
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.debug({ code: (error as { code?: unknown }).code, status }, 'request refused');
  if (error instanceof MethodNotAllowedError) reply.header('Allow', error.allowed.join(', '));
  if (error instanceof TooManyFailedLoginsError) {
    reply.header('Retry-After', String(error.retryAfterSeconds));
  }
  if (error instanceof AuthenticationRequiredError || error instanceof InvalidCredentialsError) {
    if (error.challenge !== undefined) reply.header('WWW-Authenticate', error.challenge);
  }
  void reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** Installs the error handler and the 404 handler on the root instance. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    sendError(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(new RouteNotFoundError(request.url), request, reply);
  });
}

/** Answers a malformed HTTP request on the socket itself, in the same JSON shape. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400;
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ code: status, title, description: 'Malformed HTTP request' });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
