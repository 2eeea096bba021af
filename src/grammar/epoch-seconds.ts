/**
 * Epoch seconds (a JSON number or a numeric string) to integer microseconds, floored.
 *
 * Gnocchi multiplies by 1e9 in float64 and truncates to nanoseconds, which sometimes lands one
 * nanosecond below the decimal the client wrote (and so, floored to microseconds, one microsecond
 * below). Here the result is the floor of the decimal the client wrote:
 * - for a string in plain decimal notation, its digits, read exactly;
 * - for a number (or an exponent string), the shortest decimal that reads back as that double,
 *   which is what `JSON.parse` started from. For a double below 2^33 seconds (year 2242) at most
 *   one multiple of 1e-6 lies in its rounding interval, and if one does, that multiple is the
 *   shortest decimal, so the result is exact.
 */
import { MICROS_PER_SECOND } from './time-units.ts';

/** Plain decimal notation, after Python's whitespace and underscores are dealt with. */
const PLAIN_DECIMAL = /^\+?(\d{1,15})(?:\.(\d*))?$/;

/** Floors epoch seconds given as a double to integer microseconds (see the module comment). */
export function epochSecondsToMicros(seconds: number): number {
  // NOTE: the product is within 0.5 of the exact one (it is below 2^53 in the engine's range),
  // so its floor is off by at most one; the two divisions below are correctly rounded, which
  // makes them exact comparisons against the decimals f × 1e-6 and (f + 1) × 1e-6.
  let micros = Math.floor(seconds * 1e6);
  if (micros / 1e6 > seconds) micros -= 1;
  else if ((micros + 1) / 1e6 <= seconds) micros += 1;
  return micros;
}

/**
 * Floors epoch seconds given as text that Python's `float()` took (and that gave `seconds`) to
 * integer microseconds, reading plain decimals digit by digit.
 */
export function epochTextToMicros(text: string, seconds: number): number {
  const match = PLAIN_DECIMAL.exec(text.trim().replaceAll('_', ''));
  if (match === null) return epochSecondsToMicros(seconds);
  const fraction = (match[2] ?? '').slice(0, 6).padEnd(6, '0');
  return Number(match[1]) * MICROS_PER_SECOND + Number(fraction);
}
