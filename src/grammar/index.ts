/**
 * Gnocchi's value grammar, as pure parsers and renderers: timespans, timestamps (epoch, ISO 8601,
 * relative), Python's floats, truth values, `repr` and `timedelta`, shell globs, and UUIDs. No
 * I/O, no clock (callers pass `now`), no environment; it imports nothing but `errors/`, so every
 * layer may use it.
 */
export { epochSecondsToMicros, epochTextToMicros } from './epoch-seconds.ts';
export { InvalidTimespanError, type InvalidTimespanReason } from './errors.ts';
export { compileGlob, fnmatchCase } from './fnmatch.ts';
export { formatSecondsFloat, formatTimedelta } from './format-timedelta.ts';
export { daysFromCivil, parseCommonIsoBytes, parseIsoTimestamp } from './iso-timestamp.ts';
export {
  convertTimestamp,
  parseTimestamp,
  TIMESTAMP_FORMATS,
  timestampFormatOf,
  type TimestampFormat,
  type TimestampScalar,
} from './parse-timestamp.ts';
export { parsePythonFloatString, pythonFloat } from './python-float.ts';
export { pythonFloatRepr, pythonStrRepr } from './python-repr.ts';
export {
  dateToMicros,
  MAX_TIMESTAMP_MICROS,
  MICROS_PER_DAY,
  MICROS_PER_SECOND,
} from './time-units.ts';
export { MAX_TIMESPAN_LENGTH, parsePositiveTimespan, parseTimespan } from './timespan.ts';
export { parseTruthValue } from './truth-value.ts';
export { assertCanonicalUuid, isCanonicalUuid, isDashedUuid, normalizeUuid } from './uuid.ts';
export { InvalidFilterError, InvalidResourceIdError, type DocumentPath } from './errors.ts';
export { filterStringToJson, parseFilterString } from './filter-string.ts';
export {
  COMPARISON_SPELLINGS,
  LOGICAL_SPELLINGS,
  MATCH_ALL,
  mapFilterValues,
  parseJsonFilter,
  type ComparisonOperator,
  type FilterScalar,
  type ResourceFilter,
} from './resource-filter.ts';
export {
  MAX_RESOURCE_ID_LENGTH,
  RESOURCE_ID_NAMESPACE,
  transformResourceId,
} from './resource-id.ts';
export { pythonIsoformat } from './python-isoformat.ts';
export {
  BINARY_SPELLINGS,
  CROSS_AGGREGATION_BASES,
  operationReferences,
  operationsToJson,
  parseCrossAggregationMethod,
  parseOperations,
  UNARY_SPELLINGS,
  type BinaryOperator,
  type CrossAggregationBase,
  type CrossAggregationMethod,
  type MetricReference,
  type OperationNode,
  type UnaryOperator,
} from './aggregate-operations.ts';
export { MAX_NESTING, parseNestedExpression, type NestedExpression } from './nested-expression.ts';
export { InvalidOperationsError, InvalidOperationsStringError } from './errors.ts';
export { parseMetricValueQuery, type ValuePredicate } from './metric-value-query.ts';
