/**
 * The indexer: archive policies, rules, metrics, resource types and resources on SQLite or
 * PostgreSQL, behind
 * one interface, created from a URL and upgraded by `orzo upgrade`.
 */
export type { AccountStore, ApiToken, ApiUser, ApiUserChanges } from './account.ts';
export {
  TRIGGER_WINDOW_US,
  type SubhealthCheckFinding,
  type SubhealthFinding,
  type SubhealthGroupRecord,
  type SubhealthStore,
  type SubhealthTimelinePoint,
} from './subhealth.ts';
export { createIndexer } from './create-indexer.ts';
export {
  ArchivePolicyAlreadyExistsError,
  ArchivePolicyInUseError,
  ArchivePolicyNotFoundError,
  ArchivePolicyRuleAlreadyExistsError,
  ArchivePolicyRuleNotFoundError,
  ApiTokenNotFoundError,
  ApiUserAlreadyExistsError,
  ApiUserNotFoundError,
  IndexerUnavailableError,
  InvalidPaginationError,
  MetricAlreadyExistsError,
  MetricNotFoundError,
  NamedMetricAlreadyExistsError,
  InvalidResourceFieldError,
  ResourceAlreadyExistsError,
  ResourceNotFoundError,
  ResourceTypeAlreadyExistsError,
  ResourceTypeInUseError,
  ResourceTypeNotFoundError,
  UnsupportedArchivePolicyRuleChangeError,
  type InvalidPaginationReason,
} from './errors.ts';
export type { Indexer } from './indexer.ts';
export {
  METRIC_SORT_KEYS,
  METRIC_STATUSES,
  SORT_DIRECTIONS,
  type ListMetricsOptions,
  type Metric,
  type MetricFilter,
  type MetricSort,
  type MetricSortKey,
  type MetricStatus,
  type NewMetric,
  type SortDirection,
} from './metric.ts';
export { RESOURCE_DEFAULT_SORTS, type ResourceQuery, type ResourceSort } from './resource-query.ts';
export {
  upgradeIndexer,
  type UpgradeableIndexer,
  type UpgradeIndexerOptions,
  type UpgradeIndexerResult,
} from './upgrade-indexer.ts';
export { backupSqliteIndex } from './sqlite-backup.ts';
