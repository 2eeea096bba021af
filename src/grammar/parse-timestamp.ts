/**
 * One timestamp as Gnocchi's `utils.to_timestamps` reads it, for measures and for the `start` and
 * `stop` of reads. The format is chosen from the value itself (for a list of measures, from the
 * first one, see `parse-measures.ts`):
 * 1. epoch seconds, if Python's `float()` takes it: numbers, booleans (0 and 1, as in Python) and
 *    numeric strings (`"2015"` is 1970-01-01T00:33:35, not the year 2015);
 * 2. else an ISO 8601 date, as numpy reads it (see `iso-timestamp.ts`);
 * 3. else a relative timespan (`"-5 minutes"`, see `timespan.ts`) added to
 *    `now`, which the caller passes in so that parsing stays pure.
 *
 * Output: integer microseconds since the epoch, floored.
 */
import { epochSecondsToMicros, epochTextToMicros } from './epoch-seconds.ts';
import { parseIsoTimestamp } from './iso-timestamp.ts';
import { parsePythonFloatString, pythonFloat } from './python-float.ts';
import { MAX_TIMESTAMP_MICROS } from './time-units.ts';
import { parseTimespan } from './timespan.ts';

/** The timestamp formats Gnocchi recognises, in the order it tries them. */
export const TIMESTAMP_FORMATS = ['epoch', 'iso', 'relative'] as const;

/** One of {@link TIMESTAMP_FORMATS}. */
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

/** A JSON scalar that may hold a timestamp. */
export type TimestampScalar = number | string | boolean;

/** The format Gnocchi picks for a timestamp (the first of a list). */
export function timestampFormatOf(first: TimestampScalar): TimestampFormat {
  if (typeof first !== 'string' || parsePythonFloatString(first) !== undefined) return 'epoch';
  // NOTE: `now` only matters for the result, not for whether the string is ISO 8601.
  return parseIsoTimestamp(first, 0) === undefined ? 'relative' : 'iso';
}

/**
 * Microseconds for one timestamp read in the given format; NaN when it cannot be converted.
 * The result may be negative or past {@link MAX_TIMESTAMP_MICROS}: the caller decides.
 */
export function convertTimestamp(
  format: TimestampFormat,
  timestamp: TimestampScalar,
  now: number,
): number {
  switch (format) {
    case 'epoch': {
      const seconds = pythonFloat(timestamp);
      if (seconds === undefined || !Number.isFinite(seconds)) return NaN;
      return typeof timestamp === 'string'
        ? epochTextToMicros(timestamp, seconds)
        : epochSecondsToMicros(seconds);
    }
    case 'iso':
      return typeof timestamp === 'string' ? (parseIsoTimestamp(timestamp, now) ?? NaN) : NaN;
    case 'relative':
      return relativeTimestamp(timestamp, now);
  }
}

/**
 * Parses a single timestamp (`start`, `stop`) into microseconds, or returns `undefined` when it is
 * unreadable, before the epoch or past the engine's range (Gnocchi refuses the first two alike).
 */
export function parseTimestamp(value: TimestampScalar, now: number): number | undefined {
  const micros = convertTimestamp(timestampFormatOf(value), value, now);
  return micros >= 0 && micros <= MAX_TIMESTAMP_MICROS ? micros : undefined;
}

function relativeTimestamp(timestamp: TimestampScalar, now: number): number {
  // NOTE: a number here would be an epoch timestamp, so it is a mix of formats.
  if (typeof timestamp !== 'string' || parsePythonFloatString(timestamp) !== undefined) return NaN;
  try {
    return now + parseTimespan(timestamp);
  } catch {
    return NaN;
  }
}
