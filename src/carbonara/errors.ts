/** The errors the pure time-series core raises. */
import { EngineError } from '../errors/engine-error.ts';

/** Bytes that should hold a serialized series are corrupt, truncated or of an unknown format. */
export class InvalidDataError extends EngineError {
  readonly code = 'INVALID_DATA';
  /** Byte offset at which decoding failed, when known. */
  readonly offset: number | undefined;

  constructor(message: string, options: { offset?: number; cause?: unknown } = {}) {
    super(message, options);
    this.offset = options.offset;
  }
}

/** A timestamp lies before 1970-01-01T00:00:00Z, which Gnocchi refuses. */
export class BeforeEpochError extends EngineError {
  readonly code = 'BEFORE_EPOCH';
  readonly timestamp: number;

  constructor(timestamp: number) {
    super('Timestamp must be after Epoch');
    this.timestamp = timestamp;
  }
}

/** An aggregation method name that Gnocchi does not know. */
export class UnknownAggregationMethodError extends EngineError {
  readonly code = 'UNKNOWN_AGGREGATION_METHOD';
  readonly method: string;

  constructor(method: string) {
    super(`Unknown aggregation method \`${method}'`);
    this.method = method;
  }
}

/** A resampling or grouping that cannot be done, e.g. a rate on calendar periods. */
export class InvalidSamplingError extends EngineError {
  readonly code = 'INVALID_SAMPLING';
}

/** Filling the missing buckets of a series would add more points than allowed. */
export class FillLimitExceededError extends EngineError {
  readonly code = 'FILL_LIMIT_EXCEEDED';
  /** Most points a fill may add. */
  readonly limit: number;
  /** The granularity (µs) or calendar period being filled. */
  readonly granularity: number | string;

  constructor(limit: number, granularity: number | string) {
    super(`Filling would add more than ${limit} points`);
    this.limit = limit;
    this.granularity = granularity;
  }
}

/**
 * Series that cannot be aggregated together: no overlap, too little of it, operands of different
 * lengths, a window longer than the series. `references` names the series at fault (each a
 * `[ref, aggregation]` pair, or with a granularity), as Gnocchi's detail does.
 */
export class UnaggregableSeriesError extends EngineError {
  readonly code = 'UNAGGREGABLE_SERIES';
  readonly references: readonly (readonly (string | number)[])[];

  constructor(reason: string, references: readonly (readonly (string | number)[])[]) {
    super(reason);
    this.references = references;
  }
}
