/**
 * Durations rendered the way Gnocchi's API shows them: archive policy definitions use Python's
 * `str(datetime.timedelta)`, and some error messages a Python `str(float)` of seconds.
 */
import { pythonFloatRepr } from './python-repr.ts';
import { MICROS_PER_DAY, MICROS_PER_SECOND } from './time-units.ts';

/**
 * Renders integer microseconds as Python's `str(datetime.timedelta)`: `0:00:01`,
 * `0:00:03.600000`, `1 day, 0:00:00`, `365 days, 0:00:00`, and `-1 day, 23:59:59` for minus one
 * second (Python keeps the time of day positive and puts the sign on the days).
 */
export function formatTimedelta(micros: number): string {
  if (!Number.isSafeInteger(micros)) {
    throw new RangeError(`not a whole number of microseconds: ${micros}`);
  }
  // NOTE: the floored quotient of two doubles can land one off next to a multiple of a day;
  // the remainder check puts it back, keeping 0 <= rest < one day.
  let days = Math.floor(micros / MICROS_PER_DAY);
  let rest = micros - days * MICROS_PER_DAY;
  if (rest < 0) {
    days -= 1;
    rest += MICROS_PER_DAY;
  } else if (rest >= MICROS_PER_DAY) {
    days += 1;
    rest -= MICROS_PER_DAY;
  }
  const fraction = rest % MICROS_PER_SECOND;
  const seconds = (rest - fraction) / MICROS_PER_SECOND;
  const clock =
    `${Math.floor(seconds / 3600)}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}` +
    (fraction === 0 ? '' : `.${String(fraction).padStart(6, '0')}`);
  if (days === 0) return clock;
  return `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${clock}`;
}

/** Renders integer microseconds as Python's `str(float)` of seconds: `1.0`, `0.5`, `3.6`. */
export function formatSecondsFloat(micros: number): string {
  // NOTE: Gnocchi divides nanoseconds by 1e9; both divisions are correctly rounded quotients of
  // the same exact ratio, so the double (and hence the text) is the same.
  return pythonFloatRepr(micros / MICROS_PER_SECOND);
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
