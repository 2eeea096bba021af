/**
 * Every stable code an engine error may carry, by the folder that raises it. `EngineError.code`
 * is typed with this union, so a misspelt code does not compile; and the API's error table is a
 * record over it, so a code the table does not decide on does not compile either (see
 * `src/api/http/errors.ts`). A new error class adds its code here first.
 */
export const ERROR_CODES = [
  // errors/, config
  'INVALID_CONFIG',
  // carbonara
  'INVALID_DATA',
  'BEFORE_EPOCH',
  'UNKNOWN_AGGREGATION_METHOD',
  'INVALID_SAMPLING',
  'FILL_LIMIT_EXCEEDED',
  // grammar
  'INVALID_TIMESPAN',
  // archive-policy
  'INVALID_ARCHIVE_POLICY',
  'UNSUPPORTED_ARCHIVE_POLICY_CHANGE',
  'INVALID_ARCHIVE_POLICY_RULE',
  'NO_ARCHIVE_POLICY_RULE_MATCH',
  // indexer
  'ARCHIVE_POLICY_NOT_FOUND',
  'ARCHIVE_POLICY_ALREADY_EXISTS',
  'ARCHIVE_POLICY_IN_USE',
  'ARCHIVE_POLICY_RULE_NOT_FOUND',
  'ARCHIVE_POLICY_RULE_ALREADY_EXISTS',
  'UNSUPPORTED_ARCHIVE_POLICY_RULE_CHANGE',
  'METRIC_NOT_FOUND',
  'METRIC_ALREADY_EXISTS',
  'NAMED_METRIC_ALREADY_EXISTS',
  'INVALID_PAGINATION',
  'INDEXER_UNAVAILABLE',
  // ingest
  'INVALID_MEASURES',
  'INCOMING_UNAVAILABLE',
  'INCOMING_NOT_INITIALIZED',
  'SACK_COUNT_CHANGE_REFUSED',
  // storage
  'STORAGE_UNAVAILABLE',
  'FENCED_WRITE',
  // lock
  'LOCK_UNAVAILABLE',
  // chef
  'LOCK_LOST',
  // api
  'AUTHENTICATION_REQUIRED',
  'POLICY_DENIED',
  'NOT_ACCEPTABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNDECODABLE_BODY',
  'INVALID_INPUT',
  'INVALID_ARGUMENT',
  'INVALID_ARGUMENT_VALUE',
  'METHOD_NOT_ALLOWED',
  'ROUTE_NOT_FOUND',
  'OPS_DUMP_NOT_FOUND',
  'UNKNOWN_METRICS',
  'RESOURCES_NOT_SUPPORTED',
  'INVALID_METRIC',
  'SHUTTING_DOWN',
  'INVALID_RESAMPLE',
  'AGGREGATION_METHOD_NOT_FOUND',
  'AGGREGATION_NOT_FOUND',
  'METRIC_LOCKED',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];
