/**
 * The body of `GET /v1/metric/{id}/measures`, written by hand into one string, because a reply may
 * hold tens of thousands of points and generic serialization of nested arrays is the slow part.
 *
 * Output: a JSON list of `[timestamp, granularity, value]`, group after group as given. As Gnocchi
 * renders them:
 * - timestamps as `2015-03-06T14:33:57+00:00`; with a sub-second part, `…:57.500000+00:00`
 *   (Gnocchi HEAD truncates to the second, which repeats timestamps below 1 s granularities);
 * - granularities as float seconds (`60.0`, `0.5`), or the letter of a calendar resample (`"M"`);
 * - values as Python's `repr(float)` (`43.1`, `12.0`, `1e+16`), NaN and ±Infinity as the bare
 *   tokens `NaN`, `Infinity`, `-Infinity` (not strict JSON, as Gnocchi), and filled nulls as `null`.
 * Separators are compact, as in the API's other answers.
 */
import { formatSecondsFloat, pythonFloatRepr } from '../../grammar/index.ts';
import {
  MICROS_PER_SECOND,
  type CalendarGrouping,
  type FilledSeries,
} from '../../carbonara/index.ts';

/** The points of one granularity, as they are answered. */
export interface MeasureGroup extends FilledSeries {
  /** Microseconds, or the letter of a calendar resample. */
  readonly granularity: number | CalendarGrouping;
}

const MICROS_PER_HOUR = 3600 * MICROS_PER_SECOND;

/** Renders the groups as the JSON list of triples. */
export function renderMeasuresJson(groups: readonly MeasureGroup[]): string {
  const formatTimestamp = measureTimestampFormatter();
  let out = '';
  for (const group of groups) {
    const granularity =
      typeof group.granularity === 'number'
        ? formatSecondsFloat(group.granularity)
        : `"${group.granularity}"`;
    const { timestamps, values, nulls } = group;
    for (let i = 0; i < timestamps.length; i++) {
      const value = nulls?.[i] === 1 ? 'null' : formatJsonFloat(values[i] as number);
      out +=
        ',["' + formatTimestamp(timestamps[i] as number) + '",' + granularity + ',' + value + ']';
    }
  }
  return out === '' ? '[]' : `[${out.slice(1)}]`;
}

/** `00:00` … `59:59`, the minutes and seconds of each second of an hour, made on first use. */
let minuteSecondTexts: readonly string[] | undefined;

function minuteSecondText(secondOfHour: number): string {
  minuteSecondTexts ??= Array.from(
    { length: 3600 },
    (_, second) => `${pad2(Math.floor(second / 60))}:${pad2(second % 60)}`,
  );
  return minuteSecondTexts[secondOfHour] as string;
}

/**
 * A formatter of measure timestamps (µs since the epoch) that remembers the date and hour of the
 * last timestamp it formatted, since consecutive points mostly share them.
 */
export function measureTimestampFormatter(): (micros: number) => string {
  let cachedHour = NaN;
  let cachedPrefix = '';
  return (micros) => {
    const hour = Math.floor(micros / MICROS_PER_HOUR);
    if (hour !== cachedHour) {
      cachedHour = hour;
      cachedPrefix = new Date(hour * 3_600_000).toISOString().slice(0, 14);
    }
    const ofHour = micros - hour * MICROS_PER_HOUR;
    const fraction = ofHour % MICROS_PER_SECOND;
    const clock = cachedPrefix + minuteSecondText((ofHour - fraction) / MICROS_PER_SECOND);
    const sub = fraction === 0 ? '' : `.${String(fraction).padStart(6, '0')}`;
    return `${clock}${sub}+00:00`;
  };
}

/** A double as Python's `json` writes it: `repr(float)`, or `NaN` / `Infinity` / `-Infinity`. */
export function formatJsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  const magnitude = Math.abs(value);
  // NOTE: in [1e-4, 1e16) both languages write the same shortest digits positionally; only
  // Python adds `.0` to integers. Elsewhere their exponent thresholds and spellings differ.
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    return Number.isInteger(value) ? `${value}.0` : String(value);
  }
  return pythonFloatRepr(value);
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
