/**
 * The errors the indexer raises on purpose.
 *
 * Messages are Gnocchi's indexer messages, word for word, because clients match on them; each error
 * also carries the names it is about as typed fields, so that the API can render Gnocchi's
 * `{cause, detail}` bodies where Gnocchi does. None carries an HTTP status.
 */
import { EngineError } from '../errors/engine-error.ts';

/** No archive policy has this name. */
export class ArchivePolicyNotFoundError extends EngineError {
  readonly code = 'ARCHIVE_POLICY_NOT_FOUND';
  readonly archivePolicyName: string;

  constructor(archivePolicyName: string) {
    super(`Archive policy ${archivePolicyName} does not exist`);
    this.archivePolicyName = archivePolicyName;
  }
}

/** An archive policy with this name exists already. */
export class ArchivePolicyAlreadyExistsError extends EngineError {
  readonly code = 'ARCHIVE_POLICY_ALREADY_EXISTS';
  readonly archivePolicyName: string;

  constructor(archivePolicyName: string) {
    super(`Archive policy ${archivePolicyName} already exists`);
    this.archivePolicyName = archivePolicyName;
  }
}

/** An archive policy cannot be deleted while a metric (even a deleted one) or a rule uses it. */
export class ArchivePolicyInUseError extends EngineError {
  readonly code = 'ARCHIVE_POLICY_IN_USE';
  readonly archivePolicyName: string;

  constructor(archivePolicyName: string) {
    super(`Archive policy ${archivePolicyName} is still in use`);
    this.archivePolicyName = archivePolicyName;
  }
}

/** No archive policy rule has this name. */
export class ArchivePolicyRuleNotFoundError extends EngineError {
  readonly code = 'ARCHIVE_POLICY_RULE_NOT_FOUND';
  readonly archivePolicyRuleName: string;

  constructor(archivePolicyRuleName: string) {
    super(`Archive policy rule ${archivePolicyRuleName} does not exist`);
    this.archivePolicyRuleName = archivePolicyRuleName;
  }
}

/** An archive policy rule with this name exists already. */
export class ArchivePolicyRuleAlreadyExistsError extends EngineError {
  readonly code = 'ARCHIVE_POLICY_RULE_ALREADY_EXISTS';
  readonly archivePolicyRuleName: string;

  constructor(archivePolicyRuleName: string) {
    super(`Archive policy rule ${archivePolicyRuleName} already exists`);
    this.archivePolicyRuleName = archivePolicyRuleName;
  }
}

/**
 * A rule cannot be renamed onto the name of another rule. Gnocchi answers this with a 400 worded
 * differently from the 409 of a duplicate creation, hence its own error.
 */
export class UnsupportedArchivePolicyRuleChangeError extends EngineError {
  readonly code = 'UNSUPPORTED_ARCHIVE_POLICY_RULE_CHANGE';
  /** The rule being renamed. */
  readonly archivePolicyRuleName: string;
  /** The name it was to get. */
  readonly newName: string;

  constructor(archivePolicyRuleName: string, newName: string) {
    super(
      `Archive policy rule ${archivePolicyRuleName} does not support change: ` +
        `Archive policy rule ${newName} already exists.`,
    );
    this.archivePolicyRuleName = archivePolicyRuleName;
    this.newName = newName;
  }
}

/** No metric (in the state asked for) has this id. */
export class MetricNotFoundError extends EngineError {
  readonly code = 'METRIC_NOT_FOUND';
  readonly metricId: string;

  constructor(metricId: string) {
    super(`Metric ${metricId} does not exist`);
    this.metricId = metricId;
  }
}

/** A metric with this id exists already (active or waiting to be expunged). */
export class MetricAlreadyExistsError extends EngineError {
  readonly code = 'METRIC_ALREADY_EXISTS';
  readonly metricId: string;

  constructor(metricId: string) {
    super(`Metric ${metricId} already exists`);
    this.metricId = metricId;
  }
}

/** The resource already has a metric of this name. */
export class NamedMetricAlreadyExistsError extends EngineError {
  readonly code = 'NAMED_METRIC_ALREADY_EXISTS';
  readonly metricName: string;
  readonly resourceId: string;

  constructor(metricName: string, resourceId: string) {
    super(`Named metric ${metricName} already exists`);
    this.metricName = metricName;
    this.resourceId = resourceId;
  }
}

/** What about a listing's pagination was refused. */
export type InvalidPaginationReason = 'sort-key' | 'sort-direction' | 'marker';

/** A listing was asked for an unknown sort key or direction, or with an unknown marker. */
export class InvalidPaginationError extends EngineError {
  readonly code = 'INVALID_PAGINATION';
  readonly reason: InvalidPaginationReason;
  /** The sort key, direction or marker as given. */
  readonly value: string;

  constructor(reason: InvalidPaginationReason, value: string) {
    super(`Invalid pagination: \`${PAGINATION_REASONS[reason](value)}'`);
    this.reason = reason;
    this.value = value;
  }
}

// NOTE: the direction message lists only the explicit forms, as Gnocchi's (oslo.db's) does,
// although `asc` and `desc` are accepted too.
const PAGINATION_REASONS: Readonly<Record<InvalidPaginationReason, (value: string) => string>> = {
  'sort-key': (key) => `Sort key supplied is invalid: ${key}`,
  'sort-direction': () =>
    'Unknown sort direction, must be one of: asc-nullsfirst, asc-nullslast, desc-nullsfirst, ' +
    'desc-nullslast',
  marker: (marker) => `Invalid marker: \`${marker}'`,
};

/** The indexer's database cannot be reached or used right now (connection lost, busy, I/O). */
export class IndexerUnavailableError extends EngineError {
  readonly code = 'INDEXER_UNAVAILABLE';
  readonly backend: 'sqlite' | 'postgresql';

  constructor(backend: 'sqlite' | 'postgresql', options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Indexer (${backend}) is unavailable${reason}`, options);
    this.backend = backend;
  }
}

/** No resource type has this name. */
export class ResourceTypeNotFoundError extends EngineError {
  readonly code = 'RESOURCE_TYPE_NOT_FOUND';
  readonly typeName: string;

  constructor(typeName: string) {
    super(`Resource type ${typeName} does not exist`);
    this.typeName = typeName;
  }
}

/** A resource type with this name exists already. */
export class ResourceTypeAlreadyExistsError extends EngineError {
  readonly code = 'RESOURCE_TYPE_ALREADY_EXISTS';
  readonly typeName: string;

  constructor(typeName: string) {
    super(`Resource type ${typeName} already exists`);
    this.typeName = typeName;
  }
}

/** A resource type cannot be deleted while resources of it exist (or at all, `generic`). */
export class ResourceTypeInUseError extends EngineError {
  readonly code = 'RESOURCE_TYPE_IN_USE';
  readonly typeName: string;

  constructor(typeName: string) {
    super(`Resource type ${typeName} is still in use`);
    this.typeName = typeName;
  }
}

/** No resource (of the type asked for) has this id. */
export class ResourceNotFoundError extends EngineError {
  readonly code = 'RESOURCE_NOT_FOUND';
  readonly resourceId: string;

  constructor(resourceId: string) {
    super(`Resource ${resourceId} does not exist`);
    this.resourceId = resourceId;
  }
}

/** A resource with this id exists already. */
export class ResourceAlreadyExistsError extends EngineError {
  readonly code = 'RESOURCE_ALREADY_EXISTS';
  readonly resourceId: string;

  constructor(resourceId: string) {
    super(`Resource ${resourceId} already exists`);
    this.resourceId = resourceId;
  }
}

/**
 * A filter or sort names a field the type does not have, or compares a field with a value of
 * the wrong kind (Gnocchi's `Resource type X has no Y attribute` and ``Invalid value: `v' for
 * field `f'``).
 */
export class InvalidResourceFieldError extends EngineError {
  readonly code = 'INVALID_RESOURCE_FIELD';
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

/** No user of the `verified` auth mode has this name. */
export class ApiUserNotFoundError extends EngineError {
  readonly code = 'API_USER_NOT_FOUND';
  readonly userName: string;

  constructor(userName: string) {
    super(`User ${userName} does not exist`);
    this.userName = userName;
  }
}

/** A user with this name exists already. */
export class ApiUserAlreadyExistsError extends EngineError {
  readonly code = 'API_USER_ALREADY_EXISTS';
  readonly userName: string;

  constructor(userName: string) {
    super(`User ${userName} already exists`);
    this.userName = userName;
  }
}

/** No API token has this id. */
export class ApiTokenNotFoundError extends EngineError {
  readonly code = 'API_TOKEN_NOT_FOUND';
  readonly tokenId: string;

  constructor(tokenId: string) {
    super(`API token ${tokenId} does not exist`);
    this.tokenId = tokenId;
  }
}
