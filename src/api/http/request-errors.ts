/**
 * The errors the API itself raises about a request (as opposed to the domain errors of the engine):
 * missing credentials, a denied policy, content negotiation, undecodable or invalid input, unknown
 * routes. Like every engine error they carry a stable `code` and no HTTP status; `errors.ts` maps
 * them.
 */
import type { InputPath } from '../../archive-policy/index.ts';
import { formatSecondsFloat } from '../../grammar/index.ts';
import { EngineError } from '../../errors/index.ts';

/** The part of a request that failed validation. */
export type RequestPart = 'body' | 'querystring' | 'params' | 'headers';

/** The handler needs to know the user, and the request names none (or names it unreadably). */
export class AuthenticationRequiredError extends EngineError {
  readonly code = 'AUTHENTICATION_REQUIRED';
  /**
   * The `WWW-Authenticate` challenge of the answer. Only the verified mode sends one: Gnocchi's
   * modes never did, and a challenge makes browsers prompt for a password they would not check.
   */
  readonly challenge: string | undefined;

  constructor(challenge?: string) {
    super('Authentication required');
    this.challenge = challenge;
  }
}

/**
 * The request's credentials are wrong: an unknown user, a wrong password, an unknown, revoked or
 * expired token. One message for all, so that an answer does not tell which users exist; the
 * reason and the principal tried are for the log.
 */
export class InvalidCredentialsError extends EngineError {
  readonly code = 'INVALID_CREDENTIALS';
  /** Why, for the log: `wrong password`, `expired token`… */
  readonly reason: string;
  /** The user or token id the credentials named, if they named one. */
  readonly principal: string | undefined;
  /** The `WWW-Authenticate` challenge of the answer. */
  readonly challenge: string | undefined;

  constructor(reason: string, principal?: string, challenge?: string) {
    super('The credentials are not valid');
    this.reason = reason;
    this.principal = principal;
    this.challenge = challenge;
  }
}

/** The client failed to authenticate too often lately; it may try again after a while. */
export class TooManyFailedLoginsError extends EngineError {
  readonly code = 'TOO_MANY_FAILED_LOGINS';
  /** Whole seconds until the client may try again. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`Too many failed authentications from this client; retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The user's credentials do not satisfy the policy rule of the operation. */
export class PolicyDeniedError extends EngineError {
  readonly code = 'POLICY_DENIED';
  readonly rule: string;

  constructor(rule: string) {
    super(`Policy does not allow ${rule}`);
    this.rule = rule;
  }
}

/** The `Accept` header rules out JSON, the only representation the API has. */
export class NotAcceptableError extends EngineError {
  readonly code = 'NOT_ACCEPTABLE';

  constructor() {
    super('Not Acceptable');
  }
}

/** A handler that reads a body was sent one that is not `application/json`. */
export class UnsupportedMediaTypeError extends EngineError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  /** The media type as sent, or null when the request had no `Content-Type`. */
  readonly mediaType: string | null;

  constructor(mediaType: string | null) {
    super(`The request media type ${mediaType ?? 'None'} is not supported by this server.`);
    this.mediaType = mediaType;
  }
}

/** The body is empty, not UTF-8 or not JSON. */
export class UndecodableBodyError extends EngineError {
  readonly code = 'UNDECODABLE_BODY';
  /** Why decoding failed, as the parser put it. */
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Unable to decode body: ${reason}`, options);
    this.reason = reason;
  }
}

/** A request part does not match its schema (a missing, extra or mistyped field). */
export class InvalidInputError extends EngineError {
  readonly code = 'INVALID_INPUT';
  readonly part: RequestPart;
  /** The offending field; empty when the part as a whole is wrong. */
  readonly path: InputPath;

  constructor(part: RequestPart, message: string, path: InputPath) {
    super(message);
    this.part = part;
    this.path = path;
  }
}

/** A query argument has a value the operation cannot use, e.g. `limit=0`. */
export class InvalidArgumentError extends EngineError {
  readonly code = 'INVALID_ARGUMENT';
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(message);
    this.argument = argument;
  }
}

/** The path exists but not for this method. */
export class MethodNotAllowedError extends EngineError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly method: string;
  /** The methods the path does answer, for the `Allow` header. */
  readonly allowed: readonly string[];

  constructor(method: string, allowed: readonly string[]) {
    super(`The method ${method} is not allowed for this resource.`);
    this.method = method;
    this.allowed = allowed;
  }
}

/** No route has this path. */
export class RouteNotFoundError extends EngineError {
  readonly code = 'ROUTE_NOT_FOUND';
  readonly path: string;

  constructor(path: string) {
    super('The resource could not be found.');
    this.path = path;
  }
}

/** `/v1/ops/<dump>` names no dump. */
export class OpsDumpNotFoundError extends EngineError {
  readonly code = 'OPS_DUMP_NOT_FOUND';
  readonly dump: string;

  constructor(dump: string, known: readonly string[]) {
    super(`Op dump ${dump} does not exist; the dumps are ${known.join(', ')}`);
    this.dump = dump;
  }
}

/** A batch of measures names metrics that do not exist (or are deleted); nothing was stored. */
export class UnknownMetricsError extends EngineError {
  readonly code = 'UNKNOWN_METRICS';
  /** The unknown ids, sorted, as sent. */
  readonly metricIds: readonly string[];

  constructor(metricIds: readonly string[]) {
    super(`Unknown metrics: ${metricIds.join(', ')}`);
    this.metricIds = metricIds;
  }
}

/**
 * An InfluxDB write Gnocchi refuses with a `Value error`: a line that does not parse (`detail`
 * `line`) or one without the resource tag (`detail` `key`). Nothing of the request is stored.
 */
export class InfluxBadWriteError extends EngineError {
  readonly code = 'INFLUX_BAD_WRITE';
  /** Gnocchi's description object, plus Orzo's `problem` where it can say more. */
  readonly description: Readonly<Record<string, string>>;

  constructor(detail: 'line' | 'key', reason: string, problem?: string) {
    super(problem === undefined ? reason : `${reason}: ${problem}`);
    this.description = {
      cause: 'Value error',
      detail,
      reason,
      ...(problem === undefined ? {} : { problem }),
    };
  }
}

/** An InfluxQL query other than `create database` (Gnocchi answers 501). */
export class InfluxQueryNotImplementedError extends EngineError {
  readonly code = 'INFLUX_QUERY_NOT_IMPLEMENTED';

  constructor() {
    super('Query not implemented');
  }
}

/** A batch by resource names resources that do not exist (with `create_metrics`). */
export class UnknownResourcesError extends EngineError {
  readonly code = 'UNKNOWN_RESOURCES';
  /** Each unknown resource: its id, and the id as the client sent it. */
  readonly resources: readonly { resource_id: string; original_resource_id: string }[];

  constructor(resources: readonly { resource_id: string; original_resource_id: string }[]) {
    super(`Unknown resources: ${resources.map((r) => r.resource_id).join(', ')}`);
    this.resources = resources;
  }
}

/** A conditional request's `If-Match` / `If-Unmodified-Since` (or `If-None-Match`) failed. */
export class PreconditionFailedError extends EngineError {
  readonly code = 'PRECONDITION_FAILED';

  constructor() {
    super('Request precondition failed.');
  }
}

/** A batch delete without a filter, which would delete every resource. */
export class EmptyFilterError extends EngineError {
  readonly code = 'EMPTY_FILTER';

  constructor() {
    // NOTE: Gnocchi's words, run of spaces included: clients match on them.
    super(
      'caution: the query can not be empty, or it will                   delete entire database',
    );
  }
}

/** A metric's name or unit breaks Gnocchi's rules (a `/` in the name, a unit over 31 characters). */
export class InvalidMetricError extends EngineError {
  readonly code = 'INVALID_METRIC';
  /** The offending field, for per-field (schema-like) errors. */
  readonly path: InputPath | undefined;
  /** The attribute at fault, for Gnocchi's `Attribute value error`s. */
  readonly attribute: string | undefined;

  constructor(message: string, options: { path?: InputPath; attribute?: string } = {}) {
    super(message);
    this.path = options.path;
    this.attribute = options.attribute;
  }
}

/** The API is shutting down and takes no new requests; another instance (or a retry) will. */
export class ShuttingDownError extends EngineError {
  readonly code = 'SHUTTING_DOWN';

  constructor() {
    super('The server is shutting down; retry the request');
  }
}

/**
 * A query argument has a value the operation cannot use, answered as Gnocchi's `validate_qs`
 * answers it: the argument is named in `detail`.
 */
export class InvalidArgumentValueError extends EngineError {
  readonly code = 'INVALID_ARGUMENT_VALUE';
  readonly argument: string;

  constructor(argument: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.argument = argument;
  }
}

/** A `resample` that cannot be honoured: without a granularity, or a rate on calendar periods. */
export class InvalidResampleError extends EngineError {
  readonly code = 'INVALID_RESAMPLE';
}

/** The metric's archive policy does not have the aggregation method asked for. */
export class AggregationMethodNotFoundError extends EngineError {
  readonly code = 'AGGREGATION_METHOD_NOT_FOUND';
  readonly metricId: string;
  readonly aggregationMethod: string;

  constructor(metricId: string, aggregationMethod: string) {
    super(`Aggregation method ${aggregationMethod} does not exist for metric ${metricId}`);
    this.metricId = metricId;
    this.aggregationMethod = aggregationMethod;
  }
}

/** The metric's archive policy does not have the granularity asked for. */
export class AggregationNotFoundError extends EngineError {
  readonly code = 'AGGREGATION_NOT_FOUND';
  readonly metricId: string;
  readonly aggregationMethod: string;
  /** In microseconds. */
  readonly granularity: number;

  constructor(metricId: string, aggregationMethod: string, granularity: number) {
    super(
      `Aggregation method '${aggregationMethod}' at granularity ` +
        `'${formatSecondsFloat(granularity)}' for metric ${metricId} does not exist`,
    );
    this.metricId = metricId;
    this.aggregationMethod = aggregationMethod;
    this.granularity = granularity;
  }
}

/** A `refresh=true` read could not take the metric's lock in time. */
export class MetricLockedError extends EngineError {
  readonly code = 'METRIC_LOCKED';
  readonly metricId: string;

  constructor(metricId: string) {
    super(`Unable to refresh metric: ${metricId}. Metric is locked. Please try again.`);
    this.metricId = metricId;
  }
}

/** A body whose parsing exhausted the memory or the time bound of a parsing worker. */
export class BodyTooComplexError extends EngineError {
  readonly code = 'BODY_TOO_COMPLEX';

  constructor(bound: { readonly heapMb: number } | { readonly seconds: number }) {
    super(
      'heapMb' in bound
        ? `Request body is too complex: parsing it needs more than ${bound.heapMb} MiB`
        : `Request body is too complex: parsing it takes more than ${bound.seconds} s`,
    );
  }
}
