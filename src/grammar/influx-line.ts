/**
 * InfluxDB's line protocol (1.x), one line at a time:
 *
 *     measurement[,tag_key=tag_value…] field_key=field_value[,…] [timestamp]
 *
 * Escapes as InfluxDB reads them: in a measurement, `\,` and `\ `; in tag keys, tag values and
 * field keys, `\,`, `\=` and `\ `; a backslash before anything else is itself. Field values:
 * floats (`1`, `-1.5e3`), integers (`12i`), unsigned integers (`12u`), booleans (`t`, `true`,
 * `True`, `TRUE`, and the same for false) and double-quoted strings (`\"` and `\\` escaped).
 * The timestamp is an integer in the request's precision (nanoseconds unless told). Lines
 * starting with `#` are comments, as InfluxDB has them.
 *
 * Gnocchi's grammar is narrower (no booleans, no `u`), so Orzo accepts every line Gnocchi does
 * and a few Gnocchi refuses. Timestamps become microseconds, the engine's unit: nanoseconds are
 * truncated, as anything below a microsecond is beyond any granularity Orzo stores.
 */

/** A field's value: a number, or a string (which Gnocchi and Orzo do not store). */
export type InfluxFieldValue = number | string;

/** One parsed line. */
export interface InfluxLine {
  readonly measurement: string;
  /** Tag key → value, in the line's order. */
  readonly tags: Map<string, string>;
  /** Field key → value, in the line's order (a repeated key keeps the last). */
  readonly fields: Map<string, InfluxFieldValue>;
  /** Microseconds since the epoch; `undefined` when the line has none. */
  readonly timestampUs: number | undefined;
}

/** Units of the `precision` argument, as microseconds per unit (`n` is a thousandth). */
export const INFLUX_PRECISIONS: Readonly<Record<string, number>> = {
  n: 0.001,
  ns: 0.001,
  u: 1,
  us: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

/** A line that is not line protocol; `reason` says where. */
export class InfluxLineError extends Error {}

const BOOLEANS = new Map([
  ['t', 1],
  ['T', 1],
  ['true', 1],
  ['True', 1],
  ['TRUE', 1],
  ['f', 0],
  ['F', 0],
  ['false', 0],
  ['False', 0],
  ['FALSE', 0],
]);
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Reads a token up to an unescaped character of `stops`, unescaping `escapable` ones. */
function readToken(
  line: string,
  start: number,
  stops: string,
  escapable: string,
): { text: string; end: number } {
  let text = '';
  let index = start;
  while (index < line.length) {
    const char = line[index] as string;
    if (char === '\\' && index + 1 < line.length && escapable.includes(line[index + 1] as string)) {
      text += line[index + 1] as string;
      index += 2;
      continue;
    }
    if (stops.includes(char)) break;
    text += char;
    index++;
  }
  return { text, end: index };
}

/** Reads a field value starting at `start`; returns it and where it ends. */
function readFieldValue(line: string, start: number): { value: InfluxFieldValue; end: number } {
  if (line[start] === '"') {
    let text = '';
    let index = start + 1;
    while (index < line.length) {
      const char = line[index] as string;
      if (char === '\\' && (line[index + 1] === '"' || line[index + 1] === '\\')) {
        text += line[index + 1] as string;
        index += 2;
        continue;
      }
      if (char === '"') return { value: text, end: index + 1 };
      text += char;
      index++;
    }
    throw new InfluxLineError('unterminated string field value');
  }
  let end = start;
  while (end < line.length && line[end] !== ',' && line[end] !== ' ') end++;
  const raw = line.slice(start, end);
  if (raw === '') throw new InfluxLineError('missing field value');
  const last = raw[raw.length - 1];
  if ((last === 'i' || last === 'u') && INTEGER.test(raw.slice(0, -1))) {
    if (last === 'u' && raw.startsWith('-')) throw new InfluxLineError('negative unsigned value');
    return { value: Number(raw.slice(0, -1)), end };
  }
  const boolean = BOOLEANS.get(raw);
  if (boolean !== undefined) return { value: boolean, end };
  if (!FLOAT.test(raw)) throw new InfluxLineError(`invalid field value ${raw}`);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new InfluxLineError(`field value out of range ${raw}`);
  return { value, end };
}

/** A timestamp in `unitUs` microseconds per unit as microseconds, truncated to whole ones. */
function readTimestamp(raw: string, unitUs: number): number {
  if (!INTEGER.test(raw)) throw new InfluxLineError(`invalid timestamp ${raw}`);
  if (unitUs < 1) {
    // NOTE: nanoseconds since the epoch pass 2^53; dividing as a big integer keeps them exact.
    return Number(BigInt(raw) / 1000n);
  }
  const value = Number(raw) * unitUs;
  if (!Number.isSafeInteger(value)) throw new InfluxLineError(`timestamp out of range ${raw}`);
  return value;
}

/**
 * Parses one line; `undefined` for an empty line or a comment. `unitUs` is the timestamps'
 * unit in microseconds (see {@link INFLUX_PRECISIONS}). Throws {@link InfluxLineError}.
 */
export function parseInfluxLine(text: string, unitUs = 0.001): InfluxLine | undefined {
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line.trim() === '' || line.startsWith('#')) return undefined;
  const measurement = readToken(line, 0, ', ', ', ');
  if (measurement.text === '') throw new InfluxLineError('missing measurement');
  let index = measurement.end;
  const tags = new Map<string, string>();
  while (line[index] === ',') {
    const key = readToken(line, index + 1, ',= ', ',= ');
    if (key.text === '' || line[key.end] !== '=') throw new InfluxLineError('invalid tag');
    const value = readToken(line, key.end + 1, ', ', ',= ');
    if (value.text === '') throw new InfluxLineError(`missing value of tag ${key.text}`);
    tags.set(key.text, value.text);
    index = value.end;
  }
  if (line[index] !== ' ') throw new InfluxLineError('missing fields');
  const fields = new Map<string, InfluxFieldValue>();
  do {
    const key = readToken(line, index + 1, ',= ', ',= ');
    if (key.text === '' || line[key.end] !== '=') throw new InfluxLineError('invalid field');
    const value = readFieldValue(line, key.end + 1);
    fields.set(key.text, value.value);
    index = value.end;
  } while (line[index] === ',');
  let timestampUs: number | undefined;
  if (index < line.length) {
    if (line[index] !== ' ') throw new InfluxLineError('unexpected text after the fields');
    const raw = line.slice(index + 1).trimEnd();
    if (raw !== '') timestampUs = readTimestamp(raw, unitUs);
  }
  return { measurement: measurement.text, tags, fields, timestampUs };
}
