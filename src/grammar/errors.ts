/** The errors of the value grammar: values that cannot be read as what they should hold. */
import { EngineError } from '../errors/engine-error.ts';

/** Why a timespan was refused. */
export type InvalidTimespanReason = 'unparsable' | 'not-positive' | 'sub-microsecond' | 'too-large';

/** A value that should hold a timespan (a granularity, a retention, a resample) is unusable. */
export class InvalidTimespanError extends EngineError {
  readonly code = 'INVALID_TIMESPAN';
  readonly reason: InvalidTimespanReason;
  /** The value as given. */
  readonly timespan: unknown;

  constructor(reason: InvalidTimespanReason, timespan: unknown) {
    super(TIMESPAN_MESSAGES[reason]);
    this.reason = reason;
    this.timespan = timespan;
  }
}

const TIMESPAN_MESSAGES: Readonly<Record<InvalidTimespanReason, string>> = {
  unparsable: 'Unable to parse timespan',
  'not-positive': 'Timespan must be positive',
  'sub-microsecond': 'Timespan must be a whole number of microseconds',
  'too-large': 'Timespan is too large',
};

/** A resource id that Gnocchi's grammar cannot turn into a UUID. */
export class InvalidResourceIdError extends EngineError {
  readonly code = 'INVALID_RESOURCE_ID';
}

/** Where in a JSON document a fault lies: keys and list indexes from the root. */
export type DocumentPath = readonly (string | number)[];

/**
 * A search filter that is not one: in the JSON form, `path` locates the fault and the message is
 * voluptuous's; in the string form (`?filter=`), the message says what was expected where.
 */
export class InvalidFilterError extends EngineError {
  readonly code = 'INVALID_FILTER';
  readonly form: 'json' | 'string';
  readonly path: DocumentPath;

  constructor(form: 'json' | 'string', message: string, path: DocumentPath = []) {
    super(message);
    this.form = form;
    this.path = path;
  }
}

/** The S-expression form of aggregation operations does not parse; the message is pyparsing's. */
export class InvalidOperationsStringError extends EngineError {
  readonly code = 'INVALID_OPERATIONS_STRING';
}

/**
 * Aggregation operations that are not a valid tree: the message is voluptuous's, and `path`
 * locates the fault below `operations` (empty: the operation as a whole).
 */
export class InvalidOperationsError extends EngineError {
  readonly code = 'INVALID_OPERATIONS';
  readonly path: DocumentPath;

  constructor(message: string, path: DocumentPath = []) {
    super(message);
    this.path = path;
  }
}
