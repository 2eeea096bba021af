/**
 * The metric as the indexer keeps it: identity, naming, its archive policy, who created it, and
 * its lifecycle status (deleted metrics wait in `delete` until metricd's janitor expunges them).
 */

/** Lifecycle states of a metric. */
export const METRIC_STATUSES = ['active', 'delete'] as const;

/** A metric's lifecycle state. */
export type MetricStatus = (typeof METRIC_STATUSES)[number];

/** A metric row. */
export interface Metric {
  /** Lowercase dashed UUID. */
  readonly id: string;
  readonly name: string | null;
  readonly unit: string | null;
  readonly archivePolicyName: string;
  /** `user` or `user:project`, as Gnocchi's creator string. */
  readonly creator: string;
  /**
   * The resource the metric belongs to, if any; resources arrive later, so it is not checked
   * against anything yet. A deleted metric has none.
   */
  readonly resourceId: string | null;
  readonly status: MetricStatus;
}

/** What creating a metric needs. */
export interface NewMetric {
  readonly id: string;
  readonly name?: string | null;
  readonly unit?: string | null;
  readonly archivePolicyName: string;
  readonly creator: string;
  readonly resourceId?: string | null;
}

/** Columns metrics can be listed by and sorted on. */
export const METRIC_SORT_KEYS = [
  'id',
  'name',
  'unit',
  'creator',
  'archive_policy_name',
  'resource_id',
  'status',
] as const;

/** A metric column usable in a sort. */
export type MetricSortKey = (typeof METRIC_SORT_KEYS)[number];

/**
 * Sort directions, as Gnocchi's `key:dir` accepts them; plain `asc` puts NULLs last and plain
 * `desc` puts them first, as PostgreSQL does, on every backend.
 */
export const SORT_DIRECTIONS = [
  'asc',
  'desc',
  'asc-nullsfirst',
  'asc-nullslast',
  'desc-nullsfirst',
  'desc-nullslast',
] as const;

/** One sort direction. */
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** One `key:direction` of a sort. */
export interface MetricSort {
  readonly key: MetricSortKey;
  readonly direction: SortDirection;
}

/** Exact-match filters of a metric listing; every given field must match. */
export interface MetricFilter {
  readonly id?: string;
  readonly name?: string;
  readonly unit?: string;
  readonly archivePolicyName?: string;
  readonly creator?: string;
  readonly resourceId?: string;
  readonly status?: MetricStatus;
}

/** A page of a metric listing. */
export interface ListMetricsOptions {
  readonly filter?: MetricFilter;
  /**
   * Only the metrics this caller may read: those it created (`creator`), and, with `projectId`,
   * those whose resource belongs to that project (Gnocchi's `metric_owner`).
   */
  readonly visibleTo?: { readonly creator: string; readonly projectId?: string };
  /** At most this many metrics. */
  readonly limit: number;
  /** The id of the last metric of the previous page; it must have the listed status. */
  readonly marker?: string;
  /**
   * Sort keys in order, checked at run time (they may come from a query string); `id` is appended
   * when absent so that pages are stable, and a repeated key is ignored.
   */
  readonly sort?: readonly MetricSort[];
}
