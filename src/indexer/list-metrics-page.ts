/**
 * One page of a metric listing: exact-match filters, the status asked for (active by default),
 * the order of `metric-order.ts`, and keyset pagination from a marker row.
 *
 * The marker must be a metric of the status being listed, as in Gnocchi (which looks it up among
 * active metrics); one that does not exist, or no longer has that status, is refused with
 * `InvalidPaginationError` rather than silently restarting the listing.
 */
import type { Kysely } from 'kysely';

import { InvalidPaginationError } from './errors.ts';
import type { IndexerTables, MetricTable } from './indexer-tables.ts';
import {
  afterMarker,
  orderMetricQuery,
  resolveMetricOrder,
  type MetricMarker,
} from './metric-order.ts';
import {
  METRIC_SORT_KEYS,
  type ListMetricsOptions,
  type MetricFilter,
  type MetricStatus,
} from './metric.ts';

/** A metric row as listings select it. */
export type MetricRow = Pick<MetricTable, (typeof METRIC_SORT_KEYS)[number]>;

/** Filter fields and the columns they match, status aside (it is always applied). */
const FILTER_COLUMNS = {
  id: 'id',
  name: 'name',
  unit: 'unit',
  archivePolicyName: 'archive_policy_name',
  creator: 'creator',
  resourceId: 'resource_id',
} as const satisfies Partial<Record<keyof MetricFilter, keyof MetricTable>>;

/** Selects one page of metrics; throws `InvalidPaginationError` for a bad sort or marker. */
export async function listMetricsPage(
  db: Kysely<IndexerTables>,
  options: ListMetricsOptions,
): Promise<MetricRow[]> {
  const { filter = {}, limit, marker } = options;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`a listing limit must be a positive integer, not ${limit}`);
  }
  const order = resolveMetricOrder(options.sort);
  const status = filter.status ?? 'active';
  const markerRow = marker === undefined ? undefined : await findMarker(db, marker, status);
  let query = db.selectFrom('metric').select(METRIC_SORT_KEYS).where('status', '=', status);
  for (const [field, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filter[field as keyof typeof FILTER_COLUMNS];
    if (value !== undefined) query = query.where(column, '=', value);
  }
  const { visibleTo } = options;
  if (visibleTo !== undefined) {
    const { creator, projectId } = visibleTo;
    query = query.where((eb) =>
      projectId === undefined
        ? eb('creator', '=', creator)
        : eb.or([
            eb('creator', '=', creator),
            eb(
              'resource_id',
              'in',
              eb.selectFrom('resource').select('id').where('project_id', '=', projectId),
            ),
          ]),
    );
  }
  if (markerRow !== undefined) query = query.where((eb) => afterMarker(eb, order, markerRow));
  return orderMetricQuery(query, order).limit(limit).execute();
}

async function findMarker(
  db: Kysely<IndexerTables>,
  marker: string,
  status: MetricStatus,
): Promise<MetricMarker> {
  const row = await db
    .selectFrom('metric')
    .select(METRIC_SORT_KEYS)
    .where('id', '=', marker)
    .where('status', '=', status)
    .executeTakeFirst();
  if (row === undefined) throw new InvalidPaginationError('marker', marker);
  return row;
}
