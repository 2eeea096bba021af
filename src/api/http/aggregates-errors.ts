/**
 * The refusals of the cross-metric endpoints that carry Gnocchi's structured descriptions: the
 * references of an operations tree, the metrics they name, the values a metric search asks for.
 */
import { EngineError } from '../../errors/index.ts';

/** Operations with no `metric` leaf: there is nothing to read. */
export class OperationsWithoutMetricError extends EngineError {
  readonly code = 'OPERATIONS_WITHOUT_METRIC';
  /** The operations as JSON lists, echoed back. */
  readonly operations: unknown;

  constructor(operations: unknown) {
    super("At least one 'metric' is required");
    this.operations = operations;
  }
}

/** In metric mode, references that are not metric ids. */
export class InvalidMetricReferencesError extends EngineError {
  readonly code = 'INVALID_METRIC_REFERENCES';
  readonly references: readonly (readonly [string, string])[];

  constructor(references: readonly (readonly [string, string])[]) {
    super('badly formed hexadecimal UUID string');
    this.references = references;
  }
}

/** In metric mode, referenced metrics that do not exist (or the caller may not know of). */
export class MetricReferencesNotFoundError extends EngineError {
  readonly code = 'METRIC_REFERENCES_NOT_FOUND';
  readonly metricIds: readonly string[];

  constructor(metricIds: readonly string[]) {
    super("Provided metrics don't exists");
    this.metricIds = metricIds;
  }
}

/** References whose metric's archive policy lacks the aggregation method. */
export class UnknownAggregationReferencesError extends EngineError {
  readonly code = 'UNKNOWN_AGGREGATION_REFERENCES';
  readonly references: readonly (readonly [string, string])[];

  constructor(references: readonly (readonly [string, string])[]) {
    super('Metrics with unknown aggregation');
    this.references = references;
  }
}

/** In resource mode, no resource found has a metric matching any reference. */
export class NoMatchingMetricsError extends EngineError {
  readonly code = 'NO_MATCHING_METRICS';
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    // NOTE: Gnocchi's words, the names as a Python list.
    super(
      `Metric [${names.map((name) => `'${name.replaceAll("'", "\\'")}'`).join(', ')}] does not exist`,
    );
    this.names = names;
  }
}

/** A metric search on a metric that holds no aggregates yet. */
export class MetricWithoutMeasuresError extends EngineError {
  readonly code = 'METRIC_WITHOUT_MEASURES';
  /** The metric's JSON, for the description. */
  readonly metric: Readonly<Record<string, unknown>>;

  constructor(metric: Readonly<Record<string, unknown>>) {
    super(`Metric ${String(metric.id)} does not exist`);
    this.metric = metric;
  }
}

/** A cross-metric request refused with a bare message (Gnocchi's `abort(400, "…")`). */
export class AggregationRequestError extends EngineError {
  readonly code = 'INVALID_AGGREGATION_REQUEST';
}
