/**
 * Timespan parsing as Gnocchi does it (granularities, retentions, resample periods, relative
 * timestamps): a number, or a string that Python's `float()` accepts, is seconds; any other string
 * goes through pytimeparse's grammar (`1s`, `5 minutes`, `1d2h`, `1 hour, 30 min`, `1:30`,
 * `0:01:01`, `1 day, 0:00:00`, `1:02:03:04`, `:05`, signed `-5 minutes`). Years, months,
 * milliseconds and `now` are not part of that grammar.
 *
 * Output: an integer number of microseconds, the engine's time unit (see carbonara's
 * `series.ts`). A value that is not a whole number of microseconds is refused rather than rounded,
 * since rounding would silently change a granularity and so every bucket boundary derived from it.
 *
 * Arithmetic is exact (decimal digits held in BigInt), so `0.1`, `1.1 hours` and `0:00:03.6` mean
 * exactly what they say; Python goes through floats, and its occasional last-nanosecond errors are
 * not reproduced.
 *
 * Deliberate differences from pytimeparse, all on inputs nobody sends on purpose:
 * - the sign applies to the whole value; pytimeparse drops it from the seconds part of an input
 *   such as `-1.5 minutes 3 seconds`;
 * - `|` is not taken as a sign, and only ASCII digits are digits;
 * - strings longer than {@link MAX_TIMESPAN_LENGTH} characters are refused.
 */
import { InvalidTimespanError } from './errors.ts';

/** Longest string accepted, so that a hostile body cannot make the exact arithmetic expensive. */
export const MAX_TIMESPAN_LENGTH = 256;

const MICROS_PER_SECOND = 1_000_000n;
const MAX_MICROS = BigInt(Number.MAX_SAFE_INTEGER);
/** Exponents beyond this cannot give a usable timespan, so the digits are never expanded. */
const MAX_EXPONENT = 400;

/** An exact decimal: `coefficient × 10^exponent`. */
interface Decimal {
  readonly coefficient: bigint;
  readonly exponent: number;
}

/** An exact count of microseconds: `value / 10^shift`. */
interface ScaledMicros {
  readonly value: bigint;
  readonly shift: number;
}

/** What Python's `float()` accepts for a finite number, underscores between digits included. */
const FLOAT_STRING =
  /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/i;
const DECIMAL_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

const SIGNED = /^\s*([+-])?\s*([\s\S]*)$/;

/** pytimeparse's unit spellings, by the name of the group that captures their quantity. */
const UNITS = {
  weeks: 'w|wks?|weeks?',
  days: 'd|dys?|days?',
  hours: 'h|hrs?|hours?',
  mins: 'm|mins?|minutes?',
  secs: 's|secs?|seconds?',
} as const;

type Field = keyof typeof UNITS;

const FIELD_SECONDS: Readonly<Record<Field, bigint>> = {
  weeks: 604_800n,
  days: 86_400n,
  hours: 3_600n,
  mins: 60n,
  secs: 1n,
};

const quantity = (field: Field): string => String.raw`(?<${field}>[\d.]+)\s*(?:${UNITS[field]})`;
const optionalWithSeparator = (field: Field): string =>
  String.raw`(?:${quantity(field)}\s*(?:[,/]\s*)?)?`;
const CLOCK_SECS = String.raw`(?<secs>\d{2}(?:\.\d+)?)`;
const WEEKS_DAYS = String.raw`${optionalWithSeparator('weeks')}\s*${optionalWithSeparator('days')}\s*`;

/** pytimeparse's formats, tried in its order; the first that matches decides. */
const FORMATS: readonly RegExp[] = [
  String.raw`${WEEKS_DAYS}${optionalWithSeparator('hours')}\s*${optionalWithSeparator('mins')}\s*(?:${quantity('secs')})?`,
  String.raw`(?<mins>\d{1,2}):${CLOCK_SECS}`,
  String.raw`${WEEKS_DAYS}(?<hours>\d+):(?<mins>\d{2}):${CLOCK_SECS}`,
  String.raw`(?<days>\d+):(?<hours>\d{2}):(?<mins>\d{2}):${CLOCK_SECS}`,
  String.raw`:${CLOCK_SECS}`,
].map((format) => new RegExp(String.raw`^\s*(?:${format})\s*$`, 'i'));

/** Parses a timespan into integer microseconds; zero and negative values are allowed. */
export function parseTimespan(input: number | string): number {
  return toMicros(parseScaled(input), input, false);
}

/** Parses a timespan that must be strictly positive (a granularity, a retention, a resample). */
export function parsePositiveTimespan(input: number | string): number {
  return toMicros(parseScaled(input), input, true);
}

function parseScaled(input: unknown): ScaledMicros {
  if (typeof input === 'number') {
    if (Number.isNaN(input)) throw new InvalidTimespanError('unparsable', input);
    if (!Number.isFinite(input)) throw new InvalidTimespanError('too-large', input);
    // NOTE: String() gives the shortest decimal that reads back as this double, i.e. what the
    // client wrote in its JSON, so 0.1 is taken as exactly 100 000 µs.
    return scaleDecimal(parseDecimal(String(input)), MICROS_PER_SECOND, input);
  }
  if (typeof input !== 'string' || input.length > MAX_TIMESPAN_LENGTH) {
    throw new InvalidTimespanError('unparsable', input);
  }
  const trimmed = input.trim();
  if (FLOAT_STRING.test(trimmed)) {
    return scaleDecimal(parseDecimal(trimmed.replaceAll('_', '')), MICROS_PER_SECOND, input);
  }
  return parseTimeExpression(input);
}

function parseTimeExpression(input: string): ScaledMicros {
  const signed = SIGNED.exec(input);
  const unsigned = signed?.[2] ?? '';
  const negative = signed?.[1] === '-';
  // NOTE: the first format matches blank text too; pytimeparse refuses such an empty match.
  if (unsigned.trim() === '') throw new InvalidTimespanError('unparsable', input);
  for (const format of FORMATS) {
    const groups = format.exec(unsigned)?.groups;
    if (groups === undefined) continue;
    const total = sumFields(groups, input);
    return negative ? { value: -total.value, shift: total.shift } : total;
  }
  throw new InvalidTimespanError('unparsable', input);
}

/**
 * Adds up the captured fields as pytimeparse does: when the seconds field is absent or a whole
 * number, the other fields are summed and truncated to whole seconds (pytimeparse then returns an
 * int); only a fractional seconds field keeps a fraction.
 */
function sumFields(
  groups: Readonly<Record<string, string | undefined>>,
  input: string,
): ScaledMicros {
  let others: ScaledMicros = { value: 0n, shift: 0 };
  for (const field of ['weeks', 'days', 'hours', 'mins'] as const) {
    const text = groups[field];
    if (text === undefined) continue;
    others = addScaled(others, scaleDecimal(parseDecimal(text, input), unitMicros(field), input));
  }
  const secsText = groups.secs;
  const secs =
    secsText === undefined
      ? { value: 0n, shift: 0 }
      : scaleDecimal(parseDecimal(secsText, input), MICROS_PER_SECOND, input);
  if (secsText?.includes('.')) return addScaled(others, secs);
  const wholeSeconds = others.value / (10n ** BigInt(others.shift) * MICROS_PER_SECOND);
  return addScaled({ value: wholeSeconds * MICROS_PER_SECOND, shift: 0 }, secs);
}

function unitMicros(field: Field): bigint {
  return FIELD_SECONDS[field] * MICROS_PER_SECOND;
}

/** Reads decimal text (already known to be digits, one dot and maybe an exponent). */
function parseDecimal(text: string, input: unknown = text): Decimal {
  const match = DECIMAL_PARTS.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  // NOTE: pytimeparse's `[\d.]+` lets through `.` and `1.2.3`, on which Python's float() fails.
  if (match === null || whole + fraction === '') {
    throw new InvalidTimespanError('unparsable', input);
  }
  const exponent = Number(match[4] ?? '0') - fraction.length;
  const magnitude = BigInt(whole + fraction);
  return { coefficient: match[1] === '-' ? -magnitude : magnitude, exponent };
}

function scaleDecimal(decimal: Decimal, unit: bigint, input: unknown): ScaledMicros {
  const { coefficient, exponent } = decimal;
  if (coefficient !== 0n && exponent > MAX_EXPONENT) {
    throw new InvalidTimespanError('too-large', input);
  }
  if (coefficient === 0n) return { value: 0n, shift: 0 };
  if (exponent < -MAX_EXPONENT) throw new InvalidTimespanError('sub-microsecond', input);
  return exponent >= 0
    ? { value: coefficient * unit * 10n ** BigInt(exponent), shift: 0 }
    : { value: coefficient * unit, shift: -exponent };
}

function addScaled(a: ScaledMicros, b: ScaledMicros): ScaledMicros {
  const shift = Math.max(a.shift, b.shift);
  return {
    value: a.value * 10n ** BigInt(shift - a.shift) + b.value * 10n ** BigInt(shift - b.shift),
    shift,
  };
}

function toMicros(scaled: ScaledMicros, input: unknown, positive: boolean): number {
  if (positive && scaled.value <= 0n) throw new InvalidTimespanError('not-positive', input);
  const divisor = 10n ** BigInt(scaled.shift);
  if (scaled.value % divisor !== 0n) throw new InvalidTimespanError('sub-microsecond', input);
  const micros = scaled.value / divisor;
  if (micros > MAX_MICROS || micros < -MAX_MICROS) {
    throw new InvalidTimespanError('too-large', input);
  }
  // NOTE: Number(-0n) is 0, so a negative zero never leaks out.
  return Number(micros);
}
