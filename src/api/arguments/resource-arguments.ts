/**
 * The query arguments of resource listings and searches: `details` and `history` (booleans),
 * repeatable `attrs`, `filter` (the string form), on top of pagination.
 */
import {
  MATCH_ALL,
  parseFilterString,
  parseJsonFilter,
  type ResourceFilter,
} from '../../grammar/index.ts';
import { lastArgument, listArgument, type QueryArgs } from './pagination.ts';
import { parseBoolean } from './boolean-argument.ts';

/** What a listing or search asks for, besides its page. */
export interface ResourceListArguments {
  readonly details: boolean;
  readonly history: boolean;
  /** Keys kept in each resource's JSON; none means all. */
  readonly attrs: readonly string[];
}

/** Reads `details`, `history` and `attrs`; throws `InvalidArgumentError`. */
export function parseResourceListArguments(query: QueryArgs): ResourceListArguments {
  return {
    details: booleanArgument(query, 'details'),
    history: booleanArgument(query, 'history'),
    attrs: listArgument(query.attrs),
  };
}

/** The filter of `?filter=` (string form), or everything when there is none. */
export function filterArgument(query: QueryArgs): ResourceFilter | undefined {
  const text = lastArgument(query, 'filter');
  return text === undefined || text.trim() === '' ? undefined : parseFilterString(text);
}

/** The filter of a search: the JSON body when there is one, else `?filter=`, else everything. */
export function searchFilter(body: unknown, query: QueryArgs): ResourceFilter {
  if (body !== undefined && body !== null) return parseJsonFilter(body);
  return filterArgument(query) ?? MATCH_ALL;
}

function booleanArgument(query: QueryArgs, name: string): boolean {
  const text = lastArgument(query, name);
  return text === undefined ? false : parseBoolean(name, text);
}
