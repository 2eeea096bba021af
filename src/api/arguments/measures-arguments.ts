/**
 * The query string of `GET /v1/metric/{id}/measures`, read as Gnocchi HEAD's `get_measures` and
 * `validate_qs` read it, in their order: `resample` (which needs a `granularity`), `start`,
 * `stop`, `granularity`, then Orzo's `fill`. What depends on the metric (is the aggregation
 * method or granularity in its archive policy?) and `refresh` are checked later, also in
 * Gnocchi's order, by the service.
 */
import { isCalendarGrouping, type CalendarGrouping, type Fill } from '../../carbonara/index.ts';
import {
  InvalidTimespanError,
  parsePositiveTimespan,
  parseTimestamp,
} from '../../grammar/index.ts';
import { parseFill } from './fill-argument.ts';
import { InvalidArgumentValueError, InvalidResampleError } from '../http/request-errors.ts';

/** The arguments as sent; any other argument is ignored, as in Gnocchi. */
export interface MeasuresQueryString {
  readonly start?: string;
  readonly stop?: string;
  readonly aggregation?: string;
  readonly granularity?: string;
  readonly resample?: string;
  readonly refresh?: string;
  readonly fill?: string;
}

/** The arguments read. Times are in microseconds. */
export interface MeasuresArguments {
  readonly start?: number;
  /** Exclusive. */
  readonly stop?: number;
  /** @defaultValue `mean` */
  readonly aggregation: string;
  /** One granularity of the archive policy; all of them when absent. */
  readonly granularity?: number;
  readonly resample?: number | CalendarGrouping;
  readonly fill?: Fill;
}

/** The default aggregation method, as Gnocchi's. */
export const DEFAULT_AGGREGATION = 'mean';

/** Reads the arguments that do not depend on the metric; `now` (µs) anchors relative times. */
export function parseMeasuresArguments(args: MeasuresQueryString, now: number): MeasuresArguments {
  // NOTE: Gnocchi tests these for truth, so an empty `resample` means none and an empty
  // `granularity` does not allow one.
  const resample = args.resample ? parseResample(args.resample, args.granularity) : undefined;
  const start = args.start === undefined ? undefined : parseBound('start', args.start, now);
  const stop = args.stop === undefined ? undefined : parseBound('stop', args.stop, now);
  const granularity =
    args.granularity === undefined ? undefined : parseGranularity(args.granularity);
  const fill = args.fill === undefined ? undefined : parseFill(args.fill);
  return {
    aggregation: args.aggregation ?? DEFAULT_AGGREGATION,
    ...(start === undefined ? {} : { start }),
    ...(stop === undefined ? {} : { stop }),
    ...(granularity === undefined ? {} : { granularity }),
    ...(resample === undefined ? {} : { resample }),
    ...(fill === undefined ? {} : { fill }),
  };
}

function parseResample(
  resample: string,
  granularity: string | undefined,
): number | CalendarGrouping {
  if (!granularity) throw new InvalidResampleError('A granularity must be specified to resample');
  // NOTE: a bad timespan is answered with its bare message, as Gnocchi's `abort(400, str(e))`.
  return isCalendarGrouping(resample) ? resample : parsePositiveTimespan(resample);
}

/** A `start` or `stop` bound (µs), relative ones from `now`; names the argument when bad. */
export function parseBound(
  name: 'start' | 'stop' | 'check_time',
  text: string,
  now: number,
): number {
  const micros = parseTimestamp(text, now);
  if (micros === undefined) {
    throw new InvalidArgumentValueError(name, 'Must be a datetime or a timestamp');
  }
  return micros;
}

/** A `granularity` argument (µs); names the argument when bad. */
export function parseGranularity(text: string): number {
  try {
    return parsePositiveTimespan(text);
  } catch (error) {
    if (!(error instanceof InvalidTimespanError)) throw error;
    // NOTE: unlike `resample`, a bad granularity names the argument in a `{cause, detail, reason}`.
    throw new InvalidArgumentValueError('granularity', error.message, { cause: error });
  }
}
