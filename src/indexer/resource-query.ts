/** What a search or listing of resources asks the indexer for. */
import type { ResourceFilter } from '../grammar/index.ts';
import type { SortDirection } from './metric.ts';

/** One `key:direction` of a resource sort; the key is a generic column or a type attribute. */
export interface ResourceSort {
  readonly key: string;
  readonly direction: SortDirection;
}

/** The default order of resource listings and searches, as Gnocchi's. */
export const RESOURCE_DEFAULT_SORTS: readonly ResourceSort[] = [
  { key: 'revision_start', direction: 'asc' },
  { key: 'started_at', direction: 'asc' },
];

/** A page of resources of a type (`generic`: of every type) matching a filter. */
export interface ResourceQuery {
  readonly type: string;
  readonly filter: ResourceFilter;
  /** Past revisions too, each as a row of its own. */
  readonly history?: boolean;
  /** At most this many rows. */
  readonly limit: number;
  /**
   * The last row of the previous page: a resource id, or `<id>@<revision>` in a listing with
   * history (`-1` for a current state).
   */
  readonly marker?: string;
  /** Then `id` (and `revision` with history) are appended, so that pages are stable. */
  readonly sort?: readonly ResourceSort[];
  /** The clock for relative timestamps in the filter, in microseconds. */
  readonly now: number;
}
