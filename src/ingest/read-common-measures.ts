/**
 * The common measures body read straight from its bytes: what feeders send nearly always, read
 * without `JSON.parse` making an object and two strings of every measure (with the timestamps read
 * after it, about 40 % of the API process's CPU on 100 metrics × 36,000 points, profiled; see
 * docs/benchmarks.md). Anything else gives `undefined`, and the caller reads the body the general
 * way (`JSON.parse`, then `parse-measures.ts`), which decides it, errors included.
 *
 * The common form, of which the answer is exactly the general reader's:
 *
 * - a list (`POST …/measures`) of objects with the two members `"timestamp"` and `"value"`, in
 *   either order, or (the batch endpoint) an object whose keys are canonical metric ids (lowercase,
 *   dashed), none twice, and whose values are such lists;
 * - every timestamp a string of ASCII characters without escapes, in the common ISO 8601 form
 *   (`parseCommonIsoBytes`), within the engine's range;
 * - every value a JSON number (not `NaN` or `Infinity`, which Python's `json` writes bare);
 * - JSON's whitespace anywhere between tokens, and nothing after the body.
 *
 * Numbers: an integer significand of at most 15 digits and a power of ten of at most 22 make a
 * double with one correctly rounded multiplication or division, as `JSON.parse`'s own is (Clinger's
 * fast path); longer ones are read by `Number` from their text, which `JSON.parse` agrees with.
 */
import { MAX_TIMESTAMP_MICROS, parseCommonIsoBytes } from '../grammar/index.ts';
import type { MeasureBatch } from './measure-batch.ts';

const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const LEFT_BRACKET = 91;
const BACKSLASH = 92;
const RIGHT_BRACKET = 93;
const LOWER_E = 101;
const LOWER_T = 116;
const UPPER_E = 69;
const LEFT_BRACE = 123;
const RIGHT_BRACE = 125;

const TIMESTAMP_KEY = Buffer.from('"timestamp"', 'latin1');
const VALUE_KEY = Buffer.from('"value"', 'latin1');
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const METRIC_KEY_BYTES = 38;
/** `YYYY-MM-DDTHH:MM:SS`. */
const COMMON_PREFIX_LENGTH = 19;

/** Significant digits whose integer is exact in a double whatever they are. */
const EXACT_DIGITS = 15;
/** The powers of ten that are exact in a double. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, power) => 10 ** power);

/** One metric's list, when the body is in the common form (see the module's note). */
export function readCommonMeasuresList(bytes: Uint8Array): MeasureBatch | undefined {
  const batch = readList(bytes, 0);
  return batch !== undefined && skipSpace(bytes, end) === bytes.length ? batch : undefined;
}

/** The batch endpoint's lists by metric id, in body order, when in the common form. */
export function readCommonMeasuresBatch(
  bytes: Uint8Array,
): ReadonlyMap<string, MeasureBatch> | undefined {
  let at = skipSpace(bytes, 0);
  if (bytes[at] !== LEFT_BRACE) return undefined;
  at = skipSpace(bytes, at + 1);
  const batches = new Map<string, MeasureBatch>();
  if (bytes[at] !== RIGHT_BRACE) {
    for (;;) {
      const metricId = metricKeyAt(bytes, at);
      if (metricId === undefined || batches.has(metricId)) return undefined;
      at = skipSpace(bytes, at + METRIC_KEY_BYTES);
      if (bytes[at] !== COLON) return undefined;
      const batch = readList(bytes, at + 1);
      if (batch === undefined) return undefined;
      batches.set(metricId, batch);
      at = skipSpace(bytes, end);
      if (bytes[at] === RIGHT_BRACE) break;
      if (bytes[at] !== COMMA) return undefined;
      at = skipSpace(bytes, at + 1);
    }
  }
  return skipSpace(bytes, at + 1) === bytes.length ? batches : undefined;
}

/**
 * Where the last list, timestamp or number read ended. The readers are plain functions over the
 * bytes and a position, as fast as the bytes can be walked, and return their value; this is the
 * second thing they return.
 */
let end = 0;

/** The first position from `at` on that is not JSON whitespace. */
function skipSpace(bytes: Uint8Array, at: number): number {
  for (; at < bytes.length; at++) {
    const byte = bytes[at];
    if (byte !== SPACE && byte !== LINE_FEED && byte !== CARRIAGE_RETURN && byte !== TAB) break;
  }
  return at;
}

/** A list of measures from `at` (whitespace first allowed), its arrays cut to its length. */
function readList(bytes: Uint8Array, from: number): MeasureBatch | undefined {
  let at = skipSpace(bytes, from);
  if (bytes[at] !== LEFT_BRACKET) return undefined;
  at = skipSpace(bytes, at + 1);
  if (bytes[at] === RIGHT_BRACKET) {
    end = at + 1;
    return { timestamps: new Float64Array(0), values: new Float64Array(0) };
  }
  let timestamps = new Float64Array(64);
  let values = new Float64Array(64);
  let count = 0;
  for (;;) {
    if (bytes[at] !== LEFT_BRACE) return undefined;
    let timestamp = -1;
    let value = NaN;
    for (let member = 0; member < 2; member++) {
      at = skipSpace(bytes, at + 1);
      const key = keyAt(bytes, at);
      if (key === 0) return undefined;
      at = skipSpace(bytes, end);
      if (bytes[at] !== COLON) return undefined;
      at = skipSpace(bytes, at + 1);
      if (key === TIMESTAMP && timestamp < 0) {
        timestamp = timestampAt(bytes, at);
        if (timestamp < 0) return undefined;
      } else if (key === VALUE && Number.isNaN(value)) {
        value = numberAt(bytes, at);
        if (Number.isNaN(value)) return undefined;
      } else {
        return undefined;
      }
      at = skipSpace(bytes, end);
      if (bytes[at] !== (member === 0 ? COMMA : RIGHT_BRACE)) return undefined;
    }
    if (count === timestamps.length) {
      timestamps = grown(timestamps);
      values = grown(values);
    }
    timestamps[count] = timestamp;
    values[count] = value;
    count++;
    at = skipSpace(bytes, at + 1);
    if (bytes[at] === RIGHT_BRACKET) break;
    if (bytes[at] !== COMMA) return undefined;
    at = skipSpace(bytes, at + 1);
  }
  end = at + 1;
  return { timestamps: timestamps.slice(0, count), values: values.slice(0, count) };
}

const TIMESTAMP = 1;
const VALUE = 2;

/** Which member key starts at `at`, quotes included: {@link TIMESTAMP}, {@link VALUE} or 0. */
function keyAt(bytes: Uint8Array, at: number): number {
  const key = bytes[at + 1] === LOWER_T ? TIMESTAMP_KEY : VALUE_KEY;
  if (at + key.length > bytes.length) return 0;
  for (let i = 0; i < key.length; i++) if (bytes[at + i] !== key[i]) return 0;
  end = at + key.length;
  return key === TIMESTAMP_KEY ? TIMESTAMP : VALUE;
}

/** A canonical metric id key at `at`, quotes included. */
function metricKeyAt(bytes: Uint8Array, at: number): string | undefined {
  if (bytes[at] !== QUOTE || bytes[at + METRIC_KEY_BYTES - 1] !== QUOTE) return undefined;
  const key = Buffer.from(bytes.buffer, bytes.byteOffset + at + 1, METRIC_KEY_BYTES - 2).toString(
    'latin1',
  );
  return CANONICAL_UUID.test(key) ? key : undefined;
}

/** The microseconds of a timestamp string at `at`, or -1 off the common form or out of range. */
function timestampAt(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== QUOTE) return -1;
  const start = at + 1;
  // NOTE: the common form's first 19 characters are digits and separators, which the reader
  // checks; the closing quote is looked for after them.
  let close = Math.min(start + COMMON_PREFIX_LENGTH, bytes.length);
  for (; close < bytes.length; close++) {
    const byte = bytes[close];
    if (byte === QUOTE) break;
    // NOTE: an escape could spell anything; other bytes the common form's reader checks.
    if (byte === BACKSLASH) return -1;
  }
  if (close === bytes.length) return -1;
  end = close + 1;
  const micros = parseCommonIsoBytes(bytes, start, close);
  return micros !== undefined && micros >= 0 && micros <= MAX_TIMESTAMP_MICROS ? micros : -1;
}

/** A JSON number (RFC 8259's grammar) at `at`, as `JSON.parse` reads it; NaN if none. */
function numberAt(bytes: Uint8Array, from: number): number {
  const negative = bytes[from] === MINUS;
  let at = negative ? from + 1 : from;
  let significand = 0;
  let digits = 0;
  // NOTE: JSON refuses leading zeros: a 0 stands alone before the fraction.
  if (bytes[at] === ZERO) {
    at++;
  } else {
    for (; at < bytes.length; at++) {
      const digit = (bytes[at] as number) - ZERO;
      if (digit < 0 || digit > 9) break;
      significand = significand * 10 + digit;
      digits++;
    }
    if (digits === 0) return NaN;
  }
  let power = 0;
  if (bytes[at] === DOT) {
    const fractionStart = ++at;
    for (; at < bytes.length; at++) {
      const digit = (bytes[at] as number) - ZERO;
      if (digit < 0 || digit > 9) break;
      significand = significand * 10 + digit;
      if (significand !== 0) digits++;
    }
    if (at === fractionStart) return NaN;
    power = fractionStart - at;
  }
  if (bytes[at] === LOWER_E || bytes[at] === UPPER_E) {
    at++;
    const negativeExponent = bytes[at] === MINUS;
    if (negativeExponent || bytes[at] === PLUS) at++;
    const exponentStart = at;
    let exponent = 0;
    for (; at < bytes.length; at++) {
      const digit = (bytes[at] as number) - ZERO;
      if (digit < 0 || digit > 9) break;
      exponent = Math.min(exponent * 10 + digit, 1e6);
    }
    if (at === exponentStart) return NaN;
    power += negativeExponent ? -exponent : exponent;
  }
  end = at;
  if (digits > EXACT_DIGITS || power < -22 || power > 22) {
    // NOTE: beyond the exact case; `Number` rounds the text as `JSON.parse` does.
    return Number(Buffer.from(bytes.buffer, bytes.byteOffset + from, at - from).toString('latin1'));
  }
  const scale = EXACT_POWERS[power < 0 ? -power : power] as number;
  const magnitude = power < 0 ? significand / scale : significand * scale;
  return negative ? -magnitude : magnitude;
}

function grown(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(array.length * 2);
  larger.set(array);
  return larger;
}
