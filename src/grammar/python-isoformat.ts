/**
 * Datetimes as Python's `datetime.isoformat()` renders an aware UTC one, as Gnocchi shows resource
 * dates: `2015-01-01T00:00:00.123456+00:00`, without the fraction when it is zero.
 */
import { MICROS_PER_SECOND } from './time-units.ts';

/** The isoformat of a UTC instant given in microseconds since the epoch. */
export function pythonIsoformat(micros: number): string {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  const fraction = micros - seconds * MICROS_PER_SECOND;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return fraction === 0 ? `${base}+00:00` : `${base}.${String(fraction).padStart(6, '0')}+00:00`;
}
