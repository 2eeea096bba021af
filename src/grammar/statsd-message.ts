/**
 * statsd's message format, one message at a time (a datagram holds one per line):
 *
 *     name:value|type[|@sample_rate]
 *
 * Types: `c` (counter), `g` (gauge; a value written with a leading `+` or `-` is a change of
 * the current value, as Etsy's statsd reads it), `ms` (timer; `h`, a histogram, is read as a
 * timer) and `s` (set; the value is a member, any text). A sample rate is `@r` with 0 < r ≤ 1; it
 * scales counters and is accepted, without effect, on the other types, as clients send it on
 * timers too. Tags (`|#k:v`, DogStatsD's extension) are refused rather than dropped, since
 * series differing by tags would be merged without a word.
 */

/** The kinds of statsd metric, as they name Orzo metrics (`name|type`). */
export type StatsdType = 'c' | 'g' | 'ms' | 's';

/** One parsed message. */
export type StatsdMessage =
  | { readonly type: 'c'; readonly name: string; readonly value: number; readonly rate: number }
  | {
      readonly type: 'g';
      readonly name: string;
      readonly value: number;
      /** Whether the value changes the gauge (`+n`, `-n`) instead of setting it. */
      readonly delta: boolean;
    }
  | { readonly type: 'ms'; readonly name: string; readonly value: number }
  | { readonly type: 's'; readonly name: string; readonly member: string };

/** A message that is not statsd's format; the message says what is wrong. */
export class StatsdMessageError extends Error {}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Longest name: with its `|type` suffix (3 characters at most) it stays within the engine's 255
 * for a metric name.
 */
export const MAX_STATSD_NAME_LENGTH = 252;

/** Parses one message; throws {@link StatsdMessageError}. */
export function parseStatsdMessage(text: string): StatsdMessage {
  const colon = text.indexOf(':');
  if (colon < 0) throw new StatsdMessageError('no `:` between name and value');
  const name = text.slice(0, colon);
  if (name === '') throw new StatsdMessageError('empty metric name');
  if (Array.from(name).length > MAX_STATSD_NAME_LENGTH) {
    throw new StatsdMessageError(`metric name longer than ${String(MAX_STATSD_NAME_LENGTH)}`);
  }
  if (name.includes('/')) throw new StatsdMessageError("'/' is not supported in metric name");
  const parts = text.slice(colon + 1).split('|');
  if (parts.length < 2) throw new StatsdMessageError('no `|type` after the value');
  if (parts.length > 3) throw new StatsdMessageError('more than one field after the type');
  const [raw = '', type = '', extra] = parts;
  const rate = extra === undefined ? 1 : sampleRate(extra);
  switch (type) {
    case 'c':
      return { type: 'c', name, value: numberOf(raw), rate };
    case 'g':
      return {
        type: 'g',
        name,
        value: numberOf(raw),
        delta: raw.startsWith('+') || raw.startsWith('-'),
      };
    case 'ms':
    case 'h':
      return { type: 'ms', name, value: numberOf(raw) };
    case 's':
      if (raw === '') throw new StatsdMessageError('empty set member');
      return { type: 's', name, member: raw };
    default:
      throw new StatsdMessageError(`unknown metric type \`${type}'`);
  }
}

function numberOf(raw: string): number {
  if (!NUMBER.test(raw)) throw new StatsdMessageError(`value \`${raw}' is not a number`);
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new StatsdMessageError(`value \`${raw}' is out of range`);
  return value;
}

function sampleRate(field: string): number {
  if (field.startsWith('#')) throw new StatsdMessageError('tags are not supported');
  if (!field.startsWith('@')) throw new StatsdMessageError(`\`${field}' is not a sample rate`);
  const text = field.slice(1);
  const rate = NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!(rate > 0 && rate <= 1)) {
    throw new StatsdMessageError(`sample rate \`${text}' is not in (0, 1]`);
  }
  return rate;
}
