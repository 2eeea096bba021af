/**
 * The engine's time unit, as the grammar produces it: integer microseconds since the epoch, held
 * in doubles (carbonara's `series.ts` says why). Carbonara defines the same unit for its math; the
 * grammar sits beside it, not above it, so it names the unit itself.
 */

/** Microseconds in one second. */
export const MICROS_PER_SECOND = 1_000_000;

/** Microseconds in one day. */
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

/** Largest timestamp the engine holds exactly (2^53 − 1 µs, in the year 2255). */
export const MAX_TIMESTAMP_MICROS = Number.MAX_SAFE_INTEGER;

/** A date in the engine's unit. */
export function dateToMicros(date: Date): number {
  return date.getTime() * (MICROS_PER_SECOND / 1000);
}
