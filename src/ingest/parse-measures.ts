/**
 * Parsing the body of `POST /v1/metric/<id>/measures` as Gnocchi's `MeasuresListSchema` does.
 *
 * Input: the JSON-parsed body. It must be a list of objects; each object's `timestamp` and `value`
 * are read and any other key is ignored. Output: a {@link MeasureBatch} in request order.
 *
 * Timestamps (`utils.to_timestamps`, see `parse-timestamp.ts`): the format is chosen from the
 * FIRST measure's timestamp and every other timestamp must have the same format:
 * 1. epoch seconds, if Python's `float()` takes it: numbers, booleans (0 and 1, as in Python) and
 *    numeric strings (`"2015"` is 1970-01-01T00:33:35, not the year 2015);
 * 2. else an ISO 8601 date, as numpy reads it (see `iso-timestamp.ts`);
 * 3. else a relative timespan (`"-5 minutes"`, see archive-policy's `parseTimespan`) added to
 *    `now`, which the caller passes in so that parsing stays pure.
 * Results are floored to integer microseconds. Gnocchi accepts a few mixes, each with a surprising
 * meaning (an integer after an ISO date is nanoseconds, a number after a relative timespan is an
 * offset in seconds); Orzo refuses every mix. It also refuses NaN and infinite epoch seconds and
 * `NaT`, which Gnocchi turns into garbage timestamps instead of refusing them, timestamps past
 * 2^53 − 1 µs (the year 2255; Gnocchi overflows past 2262), and relative timespans with
 * sub-microsecond parts.
 *
 * Values: Python's `float()` (see `python-float.ts`); `"NaN"` and `"inf"` are accepted, `null`
 * and a missing value are not.
 *
 * Errors are {@link InvalidMeasuresError}s with Gnocchi's reason and precedence: a malformed
 * measure (not an object, or a timestamp that is missing, null, a list or an object) anywhere
 * wins, then an unconvertible timestamp anywhere, then a timestamp before the epoch, then a bad
 * value; within one kind the first offending measure is reported.
 */
import {
  convertTimestamp,
  epochSecondsToMicros,
  MAX_TIMESTAMP_MICROS,
  pythonFloat,
  timestampFormatOf,
  type TimestampFormat,
  type TimestampScalar,
} from '../grammar/index.ts';
import { InvalidMeasuresError } from './errors.ts';
import type { MeasureBatch } from './measure-batch.ts';

/** What parsing needs from the outside world. */
export interface ParseMeasuresOptions {
  /** The current time in integer microseconds since the epoch, for relative timestamps. */
  readonly now: number;
}

/** The first offending measure of each kind, so that Gnocchi's precedence can be applied. */
interface Offenders {
  timestamp: number;
  beforeEpoch: number;
  value: number;
}

/** Parses one metric's measures list into a batch, or throws {@link InvalidMeasuresError}. */
export function parseMeasures(body: unknown, options: ParseMeasuresOptions): MeasureBatch {
  const { now } = options;
  if (!Number.isSafeInteger(now) || now < 0) throw new RangeError(`invalid now: ${now}`);
  if (!Array.isArray(body)) {
    throw new InvalidMeasuresError('format', {
      detail: 'measures must be a list of objects with a timestamp and a value',
    });
  }
  const measures: readonly unknown[] = body;
  const count = measures.length;
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  if (count === 0) return { timestamps, values };
  const format = timestampFormatOf(timestampOf(measures[0], 0));
  const offenders: Offenders = { timestamp: -1, beforeEpoch: -1, value: -1 };
  for (let i = 0; i < count; i++) {
    const measure = measures[i] as Record<string, unknown>;
    const timestamp = timestampOf(measure, i);
    const micros =
      typeof timestamp === 'number' && format === 'epoch' && Number.isFinite(timestamp)
        ? epochSecondsToMicros(timestamp)
        : convertTimestamp(format, timestamp, now);
    if (micros >= 0 && micros <= MAX_TIMESTAMP_MICROS) timestamps[i] = micros;
    else if (micros < 0) offenders.beforeEpoch = firstOf(offenders.beforeEpoch, i);
    else offenders.timestamp = firstOf(offenders.timestamp, i);
    const raw = measure.value;
    const value = typeof raw === 'number' ? raw : pythonFloat(raw);
    if (value === undefined) offenders.value = firstOf(offenders.value, i);
    else values[i] = value;
  }
  throwFirstOffence(measures, { format, now }, offenders);
  return { timestamps, values };
}

/** A measure's timestamp, or a `format` error when the measure cannot have one. */
function timestampOf(measure: unknown, index: number): TimestampScalar {
  if (typeof measure !== 'object' || measure === null || Array.isArray(measure)) {
    throw new InvalidMeasuresError('format', {
      index,
      detail: `measure ${index} is not an object`,
    });
  }
  const timestamp = (measure as Record<string, unknown>).timestamp;
  if (typeof timestamp === 'number' || typeof timestamp === 'string') return timestamp;
  if (typeof timestamp === 'boolean') return timestamp;
  throw new InvalidMeasuresError('format', {
    index,
    detail: `measure ${index} has ${timestamp === undefined ? 'no' : 'a non-scalar'} timestamp`,
  });
}

function firstOf(current: number, index: number): number {
  return current < 0 ? index : current;
}

function throwFirstOffence(
  measures: readonly unknown[],
  context: { readonly format: TimestampFormat; readonly now: number },
  offenders: Offenders,
): void {
  const { timestamp, beforeEpoch, value } = offenders;
  if (timestamp >= 0) {
    const raw = (measures[timestamp] as Record<string, unknown>).timestamp as TimestampScalar;
    throw new InvalidMeasuresError('timestamp', {
      index: timestamp,
      detail: `timestamp of measure ${timestamp} (${show(raw)}) ${unconvertibleWhy(raw, timestamp, context)}`,
    });
  }
  if (beforeEpoch >= 0) {
    throw new InvalidMeasuresError('before-epoch', {
      index: beforeEpoch,
      detail: `timestamp of measure ${beforeEpoch} is before 1970-01-01T00:00:00Z`,
    });
  }
  if (value >= 0) {
    const raw = (measures[value] as Record<string, unknown>).value;
    throw new InvalidMeasuresError('value', {
      index: value,
      detail: `value of measure ${value} (${show(raw)}) is not a number`,
    });
  }
}

function unconvertibleWhy(
  raw: TimestampScalar,
  index: number,
  context: { readonly format: TimestampFormat; readonly now: number },
): string {
  if (Number.isFinite(convertTimestamp(context.format, raw, context.now))) {
    return 'is past 2^53 - 1 microseconds (the year 2255)';
  }
  if (index === 0) return 'is neither epoch seconds, an ISO 8601 date nor a relative timespan';
  return `is not ${FORMAT_NAMES[context.format]}, as the first measure's timestamp is`;
}

const FORMAT_NAMES: Readonly<Record<TimestampFormat, string>> = {
  epoch: 'epoch seconds',
  iso: 'an ISO 8601 date',
  relative: 'a relative timespan',
};

/**
 * A short rendering of a client's value for error details; lists and objects are named rather
 * than written out, since one may be nested deep enough to exhaust the stack of a serializer.
 */
function show(raw: unknown): string {
  if (raw === undefined) return 'missing';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object' && raw !== null) return 'an object';
  const text = JSON.stringify(typeof raw === 'string' ? raw.slice(0, 64) : raw);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
