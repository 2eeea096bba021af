/**
 * The errors raised while parsing measures and while talking to the incoming backends.
 *
 * Measure errors carry Gnocchi's reason text as their message, because clients match on it, plus
 * the offending measure's index (and, for the batch endpoint, the metric key as sent) so that the
 * API can say which measure was refused and why. None carries an HTTP status.
 */
import { EngineError } from '../errors/engine-error.ts';

/** Why a measures body was refused. */
export const INVALID_MEASURES_REASONS = [
  'format',
  'timestamp',
  'before-epoch',
  'value',
  'batch-format',
  'metric-id',
] as const;

/** One of {@link INVALID_MEASURES_REASONS}. */
export type InvalidMeasuresReason = (typeof INVALID_MEASURES_REASONS)[number];

/** Gnocchi's wording for each reason (voluptuous' wording for the batch body's own shape). */
const MEASURES_MESSAGES: Readonly<Record<InvalidMeasuresReason, string>> = {
  format: 'unexpected measures format',
  timestamp: "unexpected timestamp 'Unable to convert timestamps'",
  'before-epoch': "unexpected timestamp 'Timestamp must be after Epoch'",
  value: 'unexpected measures value',
  'batch-format': 'expected a dictionary',
  'metric-id': 'extra keys not allowed',
};

/** Where a refused measure sits and what was wrong with it. */
export interface InvalidMeasuresContext {
  /** Index of the offending measure in its list; absent when the list itself is at fault. */
  readonly index?: number | undefined;
  /** The batch body's key (a metric id as sent) holding the offending list. */
  readonly metricKey?: string | undefined;
  /** A human explanation, e.g. `month 13 is out of range`. */
  readonly detail?: string | undefined;
}

/** A measures body (one metric's list or the batch endpoint's object) is not acceptable. */
export class InvalidMeasuresError extends EngineError {
  readonly code = 'INVALID_MEASURES';
  readonly reason: InvalidMeasuresReason;
  readonly index: number | undefined;
  readonly metricKey: string | undefined;
  readonly detail: string | undefined;

  constructor(reason: InvalidMeasuresReason, context: InvalidMeasuresContext = {}) {
    super(MEASURES_MESSAGES[reason]);
    this.reason = reason;
    this.index = context.index;
    this.metricKey = context.metricKey;
    this.detail = context.detail;
  }

  /** The same error, attributed to one key of the batch body. */
  withMetricKey(metricKey: string): InvalidMeasuresError {
    return new InvalidMeasuresError(this.reason, {
      index: this.index,
      metricKey,
      detail: this.detail,
    });
  }
}

/** The incoming backend cannot be reached (Redis down, timed out); retrying later may work. */
export class IncomingUnavailableError extends EngineError {
  readonly code = 'INCOMING_UNAVAILABLE';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** The incoming backend has no sack count yet: `orzo upgrade` has not been run on it. */
export class IncomingNotInitializedError extends EngineError {
  readonly code = 'INCOMING_NOT_INITIALIZED';

  constructor(message = 'incoming storage is not initialized; run `orzo upgrade`') {
    super(message);
  }
}

/** The sack count cannot change while measures wait in the current sacks. */
export class SackCountChangeRefusedError extends EngineError {
  readonly code = 'SACK_COUNT_CHANGE_REFUSED';
  readonly currentSacks: number;
  readonly requestedSacks: number;

  constructor(currentSacks: number, requestedSacks: number) {
    super(
      `cannot change the number of sacks from ${currentSacks} to ${requestedSacks}: ` +
        'measures are waiting to be processed; let metricd drain them first',
    );
    this.currentSacks = currentSacks;
    this.requestedSacks = requestedSacks;
  }
}
