/**
 * The order of a metric listing and keyset pagination over it.
 *
 * A listing is sorted by the keys asked for, each ascending or descending with NULLs first or
 * last, then by `id`, which is unique and never NULL, so the order is total. A page after a marker
 * holds the rows strictly beyond the marker row in that order: for some key k, every earlier key
 * equals the marker's (NULL-safely) and k is beyond it in k's direction and NULL placement.
 *
 * Plain `asc` means NULLS LAST and plain `desc` NULLS FIRST, PostgreSQL's defaults (NULL sorts as
 * the largest value); SQLite's own default is the opposite, so the placement is always spelt out.
 */
import type { Expression, ExpressionBuilder, SelectQueryBuilder, SqlBool } from 'kysely';

import { InvalidPaginationError } from './errors.ts';
import type { IndexerTables } from './indexer-tables.ts';
import {
  METRIC_SORT_KEYS,
  SORT_DIRECTIONS,
  type MetricSort,
  type MetricSortKey,
  type SortDirection,
} from './metric.ts';

/** One sort key with its direction resolved into an order and a NULL placement. */
export interface MetricOrderKey {
  readonly key: MetricSortKey;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** The values of a marker row that the order looks at (sort keys are column names). */
export type MetricMarker = Readonly<Record<MetricSortKey, string | null>>;

type MetricExpressionBuilder = ExpressionBuilder<IndexerTables, 'metric'>;

/**
 * Checks the sort keys and directions (they may come straight from a query string), drops repeated
 * keys, which cannot change the order, and ends the order with `id`.
 */
export function resolveMetricOrder(sorts: readonly MetricSort[] = []): readonly MetricOrderKey[] {
  const order: MetricOrderKey[] = [];
  for (const { key, direction } of sorts) {
    if (!(METRIC_SORT_KEYS as readonly string[]).includes(key)) {
      throw new InvalidPaginationError('sort-key', key);
    }
    if (!(SORT_DIRECTIONS as readonly string[]).includes(direction)) {
      throw new InvalidPaginationError('sort-direction', direction);
    }
    if (order.some((seen) => seen.key === key)) continue;
    order.push({ key, ...resolveDirection(direction) });
    // NOTE: `id` is unique, so no later key can break a tie.
    if (key === 'id') return order;
  }
  order.push({ key: 'id', descending: false, nullsFirst: false });
  return order;
}

function resolveDirection(direction: SortDirection): Omit<MetricOrderKey, 'key'> {
  const [order, nulls] = direction.split('-');
  const descending = order === 'desc';
  return { descending, nullsFirst: nulls === undefined ? descending : nulls === 'nullsfirst' };
}

/** Adds the `ORDER BY` of a resolved order to a metric query. */
export function orderMetricQuery<Output>(
  query: SelectQueryBuilder<IndexerTables, 'metric', Output>,
  order: readonly MetricOrderKey[],
): SelectQueryBuilder<IndexerTables, 'metric', Output> {
  return order.reduce(
    (ordered, { key, descending, nullsFirst }) =>
      ordered.orderBy(key, (item) => {
        const directed = descending ? item.desc() : item.asc();
        return nullsFirst ? directed.nullsFirst() : directed.nullsLast();
      }),
    query,
  );
}

/** The condition that keeps only the rows strictly after `marker` in `order`. */
export function afterMarker(
  eb: MetricExpressionBuilder,
  order: readonly MetricOrderKey[],
  marker: MetricMarker,
): Expression<SqlBool> {
  const alternatives: Expression<SqlBool>[] = [];
  order.forEach((sort, index) => {
    const beyond = beyondMarker(eb, sort, marker[sort.key]);
    if (beyond === undefined) return;
    const ties = order.slice(0, index).map(({ key }) => sameAsMarker(eb, key, marker[key]));
    alternatives.push(eb.and([...ties, beyond]));
  });
  return eb.or(alternatives);
}

function sameAsMarker(
  eb: MetricExpressionBuilder,
  key: MetricSortKey,
  value: string | null,
): Expression<SqlBool> {
  return value === null ? eb(key, 'is', null) : eb(key, '=', value);
}

/** Rows beyond the marker on one key; undefined when none can be (NULL placed last). */
function beyondMarker(
  eb: MetricExpressionBuilder,
  { key, descending, nullsFirst }: MetricOrderKey,
  value: string | null,
): Expression<SqlBool> | undefined {
  if (value === null) return nullsFirst ? eb(key, 'is not', null) : undefined;
  const beyond = eb(key, descending ? '<' : '>', value);
  return nullsFirst ? beyond : eb.or([beyond, eb(key, 'is', null)]);
}
