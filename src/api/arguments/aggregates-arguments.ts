/**
 * The query arguments of the cross-metric endpoints (`POST /v1/aggregates` and the legacy
 * `/v1/aggregation/…`), read in the order of Gnocchi's `validate_qs`: `needed_overlap`, `start`,
 * `stop`, `granularity`, `fill`; then `details`, `refresh` and the repeatable `groupby`.
 */
import { CROSS_FILL_KEYWORDS, type CrossFill } from '../../carbonara/index.ts';
import { parsePythonFloatString } from '../../grammar/index.ts';
import { InvalidArgumentValueError } from '../http/request-errors.ts';
import { parseBoolean } from './boolean-argument.ts';
import { parseBound, parseGranularity } from './measures-arguments.ts';
import { lastArgument, listArgument, type QueryArgs } from './pagination.ts';

/** The arguments read. Times are in microseconds. */
export interface AggregatesArguments {
  readonly start?: number;
  /** Exclusive. */
  readonly stop?: number;
  /** One granularity; when absent, those common to every metric. */
  readonly granularity?: number;
  /** A percentage; applies only when there is no fill. */
  readonly neededOverlap?: number;
  readonly fill?: CrossFill;
  readonly details: boolean;
  readonly refresh: boolean;
  /** Sorted and each once. */
  readonly groupby: readonly string[];
}

/** Where the endpoints differ: the legacy ones default `needed_overlap` to 100 and no fill. */
export interface AggregatesDefaults {
  /** Whether no `fill` and no `needed_overlap` means `fill=dropna` (`/v1/aggregates`). */
  readonly dropnaByDefault: boolean;
  readonly neededOverlap?: number;
}

/** Reads the arguments; throws `InvalidArgumentValueError` naming the one at fault. */
export function parseAggregatesArguments(
  query: QueryArgs,
  now: number,
  defaults: AggregatesDefaults,
): AggregatesArguments {
  const text = (name: string): string | undefined => lastArgument(query, name);
  const overlapText = text('needed_overlap');
  const fillText = text('fill');
  const neededOverlap =
    overlapText === undefined ? defaults.neededOverlap : parseNeededOverlap(overlapText);
  const startText = text('start');
  const stopText = text('stop');
  const granularityText = text('granularity');
  const start = startText === undefined ? undefined : parseBound('start', startText, now);
  const stop = stopText === undefined ? undefined : parseBound('stop', stopText, now);
  const granularity = granularityText === undefined ? undefined : parseGranularity(granularityText);
  let fill = fillText === undefined ? undefined : parseCrossFill(fillText);
  if (defaults.dropnaByDefault && fillText === undefined && overlapText === undefined) {
    fill = 'dropna';
  }
  return {
    ...(start === undefined ? {} : { start }),
    ...(stop === undefined ? {} : { stop }),
    ...(granularity === undefined ? {} : { granularity }),
    ...(neededOverlap === undefined ? {} : { neededOverlap }),
    ...(fill === undefined ? {} : { fill }),
    details: parseBoolean('details', text('details') ?? 'false'),
    refresh: parseBoolean('refresh', text('refresh') ?? 'false'),
    groupby: [...new Set(listArgument(query.groupby))].sort(),
  };
}

/** Reads a cross-metric `fill`: a float, or one of the keywords. */
export function parseCrossFill(text: string): CrossFill {
  // NOTE: a float first, as Gnocchi's schema tries it first, so `nan` and `inf` are fills.
  const value = parsePythonFloatString(text);
  if (value !== undefined) return value;
  const keyword = CROSS_FILL_KEYWORDS.find((candidate) => candidate === text);
  if (keyword !== undefined) return keyword;
  throw new InvalidArgumentValueError(
    'fill',
    "Must be a float, 'dropna', 'null', 'ffill', 'bfill', 'full_ffill' or 'full_bfill'",
  );
}

function parseNeededOverlap(text: string): number {
  const value = parsePythonFloatString(text);
  if (value === undefined)
    throw new InvalidArgumentValueError('needed_overlap', 'Must be a number');
  return value;
}
