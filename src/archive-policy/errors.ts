/**
 * The errors raised while validating archive policies and their rules.
 *
 * Messages are Gnocchi's wherever Gnocchi has one, because clients match on them. Errors about
 * one field of the input (what Gnocchi's REST schema reports) carry that field's `path`, so the
 * API can render them the way Gnocchi does (`<message> for dictionary value @ data['definition'][0]
 * ['granularity']`); errors about the policy as a whole (what Gnocchi's model raises) have none.
 */
import { EngineError } from '../errors/engine-error.ts';

/** Where a field sits in the request body, e.g. `['definition', 0, 'granularity']`. */
export type InputPath = readonly (string | number)[];

/** An archive policy (or its definition, methods or back window) breaks Gnocchi's rules. */
export class InvalidArchivePolicyError extends EngineError {
  readonly code = 'INVALID_ARCHIVE_POLICY';
  /** The offending field, for per-field (schema) errors; absent for whole-policy errors. */
  readonly path: InputPath | undefined;

  constructor(message: string, options: { path?: InputPath; cause?: unknown } = {}) {
    super(message, options);
    this.path = options.path;
  }
}

/** An update would add, drop or change a granularity of an existing archive policy. */
export class UnsupportedArchivePolicyChangeError extends EngineError {
  readonly code = 'UNSUPPORTED_ARCHIVE_POLICY_CHANGE';
  readonly archivePolicyName: string;

  constructor(archivePolicyName: string, reason: string) {
    super(`Archive policy ${archivePolicyName} does not support change: ${reason}`);
    this.archivePolicyName = archivePolicyName;
  }
}

/** An archive policy rule breaks the input rules. */
export class InvalidArchivePolicyRuleError extends EngineError {
  readonly code = 'INVALID_ARCHIVE_POLICY_RULE';
  /** The offending field, for per-field (schema) errors. */
  readonly path: InputPath | undefined;

  constructor(message: string, options: { path?: InputPath } = {}) {
    super(message);
    this.path = options.path;
  }
}

/** A metric was created without an archive policy name and no rule matches its name. */
export class NoArchivePolicyRuleMatchError extends EngineError {
  readonly code = 'NO_ARCHIVE_POLICY_RULE_MATCH';
  readonly metricName: string | null;

  constructor(metricName: string | null) {
    // NOTE: Gnocchi formats a missing name with Python's `%s`, hence `None`.
    super(
      'No archive policy name specified and no archive policy rule found matching ' +
        `the metric name ${metricName ?? 'None'}`,
    );
    this.metricName = metricName;
  }
}
