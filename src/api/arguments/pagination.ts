/**
 * Pagination of listings as Gnocchi does it: `limit` (at least 1, clamped to `max_limit`),
 * `marker` (the id of the last item of the previous page), repeatable `sort=key[:direction]`, and a
 * `Link: <…>; rel="next"` header sent only when a page is full.
 */
import {
  InvalidPaginationError,
  METRIC_SORT_KEYS,
  SORT_DIRECTIONS,
  type MetricSort,
  type MetricSortKey,
  type SortDirection,
} from '../../indexer/index.ts';
import { InvalidArgumentError } from '../http/request-errors.ts';
import { voluptuousReason } from '../http/voluptuous.ts';

/** A query string as fastify parses it: repeated arguments become lists. */
export type QueryArgs = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a listing was asked for, with defaults applied. */
export interface PageRequest {
  readonly limit: number;
  readonly marker?: string;
  /** The sorts as given (or the default), as they go back into the next page's link. */
  readonly sorts: readonly string[];
}

/** What Python's `int()` accepts as text. */
const INT_STRING = /^\s*[+-]?\d(?:_?\d)*\s*$/;

/** The default order of metric listings. */
export const METRIC_DEFAULT_SORTS: readonly string[] = ['id:asc'];

/** Reads `limit`, `marker` and `sort` of a listing's query. */
export function parsePageRequest(
  query: QueryArgs,
  maxLimit: number,
  defaultSorts: readonly string[],
): PageRequest {
  const marker = query.marker;
  return {
    limit: parseLimit(query.limit, maxLimit),
    ...(typeof marker === 'string' ? { marker } : {}),
    sorts: query.sort === undefined ? defaultSorts : toList(query.sort),
  };
}

/** Reads a `limit`: an integer of at least 1, clamped to `maxLimit`, which is also the default. */
export function parseLimit(
  value: string | readonly string[] | undefined,
  maxLimit: number,
): number {
  if (value === undefined) return maxLimit;
  if (typeof value !== 'string' || !INT_STRING.test(value)) {
    throw new InvalidArgumentError('limit', voluptuousReason('expected int', ['limit']));
  }
  const limit = Number(value.replaceAll('_', '').trim());
  if (!(limit >= 1)) {
    throw new InvalidArgumentError(
      'limit',
      voluptuousReason('value must be at least 1', ['limit']),
    );
  }
  return Math.min(limit, maxLimit);
}

/** Parses `key[:direction]` sorts of a metric listing; throws `InvalidPaginationError`. */
export function parseMetricSorts(sorts: readonly string[]): MetricSort[] {
  return sorts.map((sort) => {
    const colon = sort.indexOf(':');
    const key = (colon === -1 ? sort : sort.slice(0, colon)).trim();
    const direction = colon === -1 || colon === sort.length - 1 ? 'asc' : sort.slice(colon + 1);
    if (!(METRIC_SORT_KEYS as readonly string[]).includes(key)) {
      throw new InvalidPaginationError('sort-key', key);
    }
    if (!(SORT_DIRECTIONS as readonly string[]).includes(direction)) {
      throw new InvalidPaginationError('sort-direction', direction);
    }
    return { key: key as MetricSortKey, direction: direction as SortDirection };
  });
}

/**
 * The `Link` header of the next page: every original query argument, with `limit` (the effective
 * one), `marker` (the last id of this page) and `sort` (as given, or the default) put in, sorted by
 * name and encoded as Python's `urlencode(doseq=True)` does.
 */
export function nextPageLink(
  pageUrl: string,
  query: QueryArgs,
  page: PageRequest,
  lastId: string,
): string {
  const args: Record<string, string | readonly string[] | undefined> = {
    ...query,
    limit: String(page.limit),
    marker: lastId,
    sort: page.sorts,
  };
  const params = Object.keys(args)
    .sort()
    .flatMap((name) => toList(args[name]).map((value) => `${quotePlus(name)}=${quotePlus(value)}`))
    .join('&');
  return `<${pageUrl}?${params}>; rel="next"`;
}

/** Python's `quote_plus`: UTF-8, everything but `A-Za-z0-9_.-~` encoded, spaces as `+`. */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

/** A repeatable argument's values, in order (none when it is absent). */
export function listArgument(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** The value of an argument given once; given several times, the last one, as pecan reads it. */
export function lastArgument(query: QueryArgs, name: string): string | undefined {
  return listArgument(query[name]).at(-1);
}

/** Gnocchi's `arg_to_list`: a list as is, an empty value as no value, anything else as one. */
function toList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined || value === '') return [];
  return typeof value === 'string' ? [value] : value;
}
