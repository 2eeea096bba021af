/**
 * The body of `POST /v1/aggregates`: `operations` (required), and for resource mode
 * `resource_type` with `search`, a JSON filter or a filter string (`{}` is every resource).
 * `search` without `resource_type` is ignored, as in Gnocchi; where Gnocchi fails with a 500 (no
 * `operations`, or `resource_type` without `search`) the answer is a 400 naming the missing key.
 */
import {
  parseFilterString,
  parseJsonFilter,
  parseOperations,
  type OperationNode,
  type ResourceFilter,
} from '../../grammar/index.ts';
import { InvalidInputError } from '../http/request-errors.ts';

/** The body read. */
export interface AggregatesBody {
  readonly operations: OperationNode;
  /** Resource mode: the type searched, and the search. */
  readonly resources?: { readonly type: string; readonly filter: ResourceFilter };
}

const KEYS: ReadonlySet<string> = new Set(['operations', 'resource_type', 'search']);

/** Reads the body; throws `InvalidInputError` and the operations grammar's errors. */
export function parseAggregatesBody(body: unknown): AggregatesBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('body', 'expected a dictionary', []);
  }
  const fields = body as Record<string, unknown>;
  const extra = Object.keys(fields).find((key) => !KEYS.has(key));
  if (extra !== undefined) throw new InvalidInputError('body', 'extra keys not allowed', [extra]);
  if (!('operations' in fields)) {
    throw new InvalidInputError('body', 'required key not provided', ['operations']);
  }
  const operations = parseOperations(fields.operations);
  if (!('resource_type' in fields)) return { operations };
  const type = fields.resource_type;
  if (typeof type !== 'string')
    throw new InvalidInputError('body', 'expected str', ['resource_type']);
  if (!('search' in fields)) {
    throw new InvalidInputError('body', 'required key not provided', ['search']);
  }
  return { operations, resources: { type, filter: parseSearch(fields.search) } };
}

/**
 * A JSON filter, or a filter string; a string holding a JSON object (as dashboards send what
 * their users type) is read as the JSON filter it holds, since no filter string starts with `{`.
 */
function parseSearch(search: unknown): ResourceFilter {
  if (typeof search !== 'string') return parseJsonFilter(search);
  if (search.trimStart().startsWith('{')) {
    let document: unknown;
    try {
      document = JSON.parse(search);
    } catch {
      return parseFilterString(search);
    }
    return parseJsonFilter(document);
  }
  return parseFilterString(search);
}
