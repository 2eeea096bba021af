/**
 * ISO 8601 timestamps as numpy's `datetime64` parser reads them, which is what Gnocchi's
 * `to_timestamps` falls back to when a timestamp is not a number.
 *
 * Accepted: `YYYY-MM`, `YYYY-MM-DD`, then optionally `T` or one space and `HH`, `HH:MM`,
 * `HH:MM:SS` and `HH:MM:SS.fff…` (up to 18 fractional digits; a bare trailing dot too), then
 * optionally `Z`, `±HH`, `±HH:MM` or `±HHMM` (offset hours below 24, minutes below 60), which is
 * converted to UTC. A timestamp without an offset is UTC. Leading ASCII whitespace is skipped,
 * and trailing whitespace too once a time of day is present. `now` and `today` (any case) are the
 * current second and the current UTC day. Fields are range-checked (months, days of the month with
 * leap years, hours below 24, minutes and seconds below 60). Compact forms such as
 * `20150306T143357`, week dates, ordinal dates and a lowercase `t` are refused, as numpy refuses
 * them. A year alone is numpy syntax too, but Gnocchi never gets there: such a string is a number
 * and so an epoch timestamp.
 *
 * Output: integer microseconds since the epoch (sub-microsecond digits are floored), possibly
 * negative or beyond the engine's range; the caller decides what to refuse.
 */
import { MICROS_PER_DAY, MICROS_PER_SECOND } from './time-units.ts';

const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;

const ISO =
  /^[ \t\n\v\f\r]*([+-]?\d{1,9})-(\d\d)(?:-(\d\d)(?:[T ](\d\d)(?::(\d\d)(?::(\d\d)(?:\.(\d{0,18}))?)?)?(?:(Z)|([+-])(\d\d)(?::?(\d\d))?)?[ \t\n\v\f\r]*)?)?$/;

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Parses an ISO 8601 timestamp into microseconds, or returns `undefined` if it is not one. */
export function parseIsoTimestamp(text: string, now: number): number | undefined {
  const fast = parseCommonIso(text);
  if (fast !== undefined) return fast;
  const keyword = text.toLowerCase();
  if (keyword === 'now') return now - (now % MICROS_PER_SECOND);
  if (keyword === 'today') return now - (now % MICROS_PER_DAY);
  const match = ISO.exec(text);
  if (match === null) return undefined;
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = dayText === undefined ? 1 : Number(dayText);
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = offsetMinutes(match[9], match[10], match[11]);
  if (offset === undefined) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * MICROS_PER_SECOND - offset * MICROS_PER_MINUTE + fractionMicros(fraction ?? '');
}

const ZERO = 48;
const COLON = 58;
const DASH = 45;
const DOT = 46;
const LETTER_T = 84;
const LETTER_Z = 90;
const PLUS = 43;

/** The value of the two ASCII digits at `at`, or a negative number when either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - ZERO;
  const units = text.charCodeAt(at + 1) - ZERO;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -10_000;
}

/**
 * The common form feeders send, `YYYY-MM-DDTHH:MM:SS` with an optional fraction and an optional
 * `Z` or `+00:00`, read without a regular expression or allocation (most of the time spent
 * parsing a request body went to the general reader); `undefined` for anything else, which the
 * general reader then decides. Same answers as the general reader on what it accepts.
 */
function parseCommonIso(text: string): number | undefined {
  const length = text.length;
  if (length < 19 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return undefined;
  if (text.charCodeAt(10) !== LETTER_T || text.charCodeAt(13) !== COLON) return undefined;
  if (text.charCodeAt(16) !== COLON) return undefined;
  const seconds = commonIsoSeconds(
    twoDigits(text, 0) * 100 + twoDigits(text, 2),
    twoDigits(text, 5),
    twoDigits(text, 8),
    twoDigits(text, 11),
    twoDigits(text, 14),
    twoDigits(text, 17),
  );
  if (seconds === undefined) return undefined;
  let at = 19;
  let micros = 0;
  if (at < length && text.charCodeAt(at) === DOT) {
    at++;
    let scale = 100_000;
    while (at < length) {
      const digit = text.charCodeAt(at) - ZERO;
      if (digit < 0 || digit > 9) break;
      micros += digit * scale;
      scale = Math.floor(scale / 10);
      at++;
    }
    // NOTE: more than 18 fractional digits is refused by the general reader; leave it to it.
    if (at - 20 > 18) return undefined;
  }
  if (at < length) {
    const rest = length - at;
    const code = text.charCodeAt(at);
    const zulu = rest === 1 && code === LETTER_Z;
    const utcOffset = rest === 6 && code === PLUS && text.endsWith('00:00');
    if (!zulu && !utcOffset) return undefined;
  }
  return seconds * MICROS_PER_SECOND + micros;
}

/**
 * {@link parseIsoTimestamp} of the ASCII bytes `bytes[start..end)` where they are in the common
 * form, as {@link parseCommonIso} reads it; `undefined` for anything else, which only the string
 * reader decides. For a request body read without making a string of each timestamp.
 */
export function parseCommonIsoBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
): number | undefined {
  const length = end - start;
  if (length < 19 || bytes[start + 4] !== DASH || bytes[start + 7] !== DASH) return undefined;
  if (bytes[start + 10] !== LETTER_T || bytes[start + 13] !== COLON) return undefined;
  if (bytes[start + 16] !== COLON) return undefined;
  const seconds = commonIsoSeconds(
    twoDigitBytes(bytes, start) * 100 + twoDigitBytes(bytes, start + 2),
    twoDigitBytes(bytes, start + 5),
    twoDigitBytes(bytes, start + 8),
    twoDigitBytes(bytes, start + 11),
    twoDigitBytes(bytes, start + 14),
    twoDigitBytes(bytes, start + 17),
  );
  if (seconds === undefined) return undefined;
  let at = start + 19;
  let micros = 0;
  if (at < end && bytes[at] === DOT) {
    at++;
    let scale = 100_000;
    for (; at < end; at++) {
      const digit = (bytes[at] as number) - ZERO;
      if (digit < 0 || digit > 9) break;
      micros += digit * scale;
      scale = Math.floor(scale / 10);
    }
    if (at - (start + 20) > 18) return undefined;
  }
  if (at < end) {
    const rest = end - at;
    const zulu = rest === 1 && bytes[at] === LETTER_Z;
    const utcOffset =
      rest === 6 &&
      bytes[at] === PLUS &&
      twoDigitBytes(bytes, at + 1) === 0 &&
      bytes[at + 3] === COLON &&
      twoDigitBytes(bytes, at + 4) === 0;
    if (!zulu && !utcOffset) return undefined;
  }
  return seconds * MICROS_PER_SECOND + micros;
}

/** The value of the two ASCII digits at `at`, or a negative number when either is not a digit. */
function twoDigitBytes(bytes: Uint8Array, at: number): number {
  const tens = (bytes[at] as number) - ZERO;
  const units = (bytes[at + 1] as number) - ZERO;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -10_000;
}

/**
 * Seconds since the epoch of the common form's fields, `undefined` when one is out of range or
 * was not two digits (negative).
 */
function commonIsoSeconds(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  if ((year | month | day | hour | minute | second) < 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
}

/** Minutes east of UTC, 0 for `Z` or no offset, `undefined` when out of numpy's range. */
function offsetMinutes(
  sign: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
): number | undefined {
  if (sign === undefined) return 0;
  const h = Number(hours);
  const m = Number(minutes ?? 0);
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/** The first six fractional digits as microseconds; later digits are floored away. */
function fractionMicros(fraction: string): number {
  return fraction === '' ? 0 : Number(fraction.slice(0, 6).padEnd(6, '0'));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return MONTH_DAYS[month - 1] as number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
