/**
 * Searches and listings of resources in SQL: the filter compiled by `resource-fields.ts`, the type
 * (`generic`: every type), the caller's order with `id` (and `revision`) appended, and keyset
 * pagination from a marker row, over the current states or, with history, over the current and
 * past states together. Nothing is filtered in JavaScript.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

import type { ResourceFilter } from '../grammar/index.ts';
import { GENERIC_TYPE, type ResourceType } from '../resource/index.ts';
import { InvalidPaginationError } from './errors.ts';
import type { IndexerTables } from './indexer-tables.ts';
import { SORT_DIRECTIONS, type SortDirection } from './metric.ts';
import { compileFilter, resourceFields, type ResourceField } from './resource-fields.ts';
import type { ResourceQuery, ResourceSort } from './resource-query.ts';
import type { SqlDialect } from './sql-dialect.ts';

/** A resource state as searches select it. */
export interface ResourceRow {
  readonly id: string;
  readonly type: string;
  readonly original_resource_id: string;
  readonly creator: string;
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly started_at: number | string;
  readonly ended_at: number | string | null;
  readonly revision: number | string;
  readonly revision_start: number | string;
  readonly revision_end: number | string | null;
  readonly attributes: unknown;
}

interface OrderKey {
  readonly key: string;
  readonly expression: RawBuilder<unknown>;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

const CURRENT_COLUMNS = sql.raw(
  'id, type, original_resource_id, creator, user_id, project_id, started_at, ended_at, ' +
    'revision_start, attributes',
);

/** The rows of a page; `type` is the searched type's definition (undefined for generic). */
export async function searchResourceRows(
  db: Kysely<IndexerTables>,
  dialect: SqlDialect,
  type: ResourceType | undefined,
  query: ResourceQuery,
): Promise<ResourceRow[]> {
  const { limit } = query;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`a listing limit must be a positive integer, not ${limit}`);
  }
  const history = query.history === true;
  const fields = resourceFields(dialect, type, history);
  const context = { typeName: query.type, dialect, now: query.now };
  const condition = compileFilter(query.filter, fields, context);
  const order = resolveOrder(query.sort ?? [], fields, history);
  const source = rowsOf(history, query.type);
  let after: RawBuilder<unknown> = sql`1 = 1`;
  if (query.marker !== undefined) {
    const marker = await markerValues(db, source, order, query.marker, history);
    after = afterMarker(order, marker);
  }
  const orderBy = sql.join(
    order.map(
      ({ expression, descending, nullsFirst }) =>
        sql`${expression} ${sql.raw(descending ? 'desc' : 'asc')} ${sql.raw(nullsFirst ? 'nulls first' : 'nulls last')}`,
    ),
  );
  const { rows } =
    await sql<ResourceRow>`select r.* from ${source} where ${condition} and ${after} order by ${orderBy} limit ${limit}`.execute(
      db,
    );
  return rows;
}

/** The ids of the current resources of a type that a filter matches (for batch deletes). */
export async function matchingResourceIds(
  db: Kysely<IndexerTables>,
  dialect: SqlDialect,
  type: ResourceType | undefined,
  typeName: string,
  filter: ResourceFilter,
  now: number,
): Promise<string[]> {
  const fields = resourceFields(dialect, type, false);
  const condition = compileFilter(filter, fields, { typeName, dialect, now });
  const { rows } = await sql<{
    id: string;
  }>`select r.id from ${rowsOf(false, typeName)} where ${condition}`.execute(db);
  return rows.map((row) => row.id);
}

/** The rows searched, as `r`: current states (of one type), or with history all states. */
function rowsOf(history: boolean, typeName: string): RawBuilder<unknown> {
  const ofType = typeName === GENERIC_TYPE ? sql`` : sql` where type = ${sql.lit(typeName)}`;
  if (!history) {
    return sql`(select ${CURRENT_COLUMNS}, -1 as revision, null as revision_end from resource${ofType}) as r`;
  }
  return sql`(select ${CURRENT_COLUMNS}, -1 as revision, null as revision_end from resource${ofType} union all select ${CURRENT_COLUMNS}, revision, revision_end from resource_history${ofType}) as r`;
}

function resolveOrder(
  sorts: readonly ResourceSort[],
  fields: ReadonlyMap<string, ResourceField>,
  history: boolean,
): OrderKey[] {
  const order: OrderKey[] = [];
  const tail: ResourceSort[] = [
    { key: 'id', direction: 'asc' },
    ...(history ? [{ key: 'revision', direction: 'asc' as const }] : []),
  ];
  for (const { key, direction } of [...sorts, ...tail]) {
    if (!(SORT_DIRECTIONS as readonly string[]).includes(direction)) {
      throw new InvalidPaginationError('sort-direction', direction);
    }
    if (order.some((seen) => seen.key === key)) continue;
    const field =
      key === 'revision' && history
        ? { expression: sql.ref('r.revision'), creatorPart: undefined }
        : fields.get(key);
    if (field === undefined || field.creatorPart !== undefined || key === 'lifespan') {
      throw new InvalidPaginationError('sort-key', key);
    }
    order.push({ key, expression: field.expression, ...resolveDirection(direction) });
  }
  return order;
}

function resolveDirection(direction: SortDirection): { descending: boolean; nullsFirst: boolean } {
  const [way, nulls] = direction.split('-');
  const descending = way === 'desc';
  return { descending, nullsFirst: nulls === undefined ? descending : nulls === 'nullsfirst' };
}

/** The marker row's value of every order key; throws `InvalidPaginationError` when there is none. */
async function markerValues(
  db: Kysely<IndexerTables>,
  source: RawBuilder<unknown>,
  order: readonly OrderKey[],
  marker: string,
  history: boolean,
): Promise<unknown[]> {
  const at = history ? marker.lastIndexOf('@') : -1;
  const id = at === -1 ? marker : marker.slice(0, at);
  const revision = at === -1 ? -1 : Number(marker.slice(at + 1));
  if (!Number.isSafeInteger(revision)) throw new InvalidPaginationError('marker', marker);
  const columns = sql.join(
    order.map(({ expression }, index) => sql`${expression} as ${sql.id(`k${index}`)}`),
  );
  const { rows } = await sql<
    Record<string, unknown>
  >`select ${columns} from ${source} where r.id = ${id} and r.revision = ${revision}`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new InvalidPaginationError('marker', marker);
  return order.map((_key, index) => row[`k${index}`] ?? null);
}

/** Rows strictly after the marker in the order (NULL-safe, in each key's direction). */
function afterMarker(order: readonly OrderKey[], values: readonly unknown[]): RawBuilder<unknown> {
  const alternatives: RawBuilder<unknown>[] = [];
  order.forEach((key, index) => {
    const beyond = beyondMarker(key, values[index]);
    if (beyond === undefined) return;
    const ties = order
      .slice(0, index)
      .map(({ expression }, tie) =>
        values[tie] === null ? sql`${expression} is null` : sql`${expression} = ${values[tie]}`,
      );
    alternatives.push(sql`(${sql.join([...ties, beyond], sql.raw(' and '))})`);
  });
  return alternatives.length === 0 ? sql`1 = 0` : sql`(${sql.join(alternatives, sql.raw(' or '))})`;
}

function beyondMarker(
  { expression, descending, nullsFirst }: OrderKey,
  value: unknown,
): RawBuilder<unknown> | undefined {
  if (value === null) return nullsFirst ? sql`${expression} is not null` : undefined;
  const beyond = sql`${expression} ${sql.raw(descending ? '<' : '>')} ${value}`;
  return nullsFirst ? beyond : sql`(${beyond} or ${expression} is null)`;
}
