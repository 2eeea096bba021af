/**
 * Graphite's plaintext protocol, one line at a time, as carbon reads it:
 *
 *     metric.path value timestamp
 *
 * fields separated by spaces or tabs; the timestamp is Unix seconds (fractions allowed). A
 * timestamp of `-1` or `N`, or none at all, means now, as several relays take it. A `nan` value
 * is skipped, as carbon skips it; other non-numbers are errors. A path is dot-separated
 * components, none empty.
 */

/** One parsed line; `undefined` values are lines to skip. */
export interface GraphiteLine {
  readonly path: string;
  readonly value: number;
  /** Microseconds since the epoch; `undefined` for now. */
  readonly timestampUs: number | undefined;
}

/** A line that is not Graphite's format; the message says what is wrong. */
export class GraphiteLineError extends Error {}

/** Longest path, so that a hostile line cannot name an unbounded metric. */
export const MAX_GRAPHITE_PATH_LENGTH = 1024;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOW = new Set(['-1', 'N']);

/**
 * Parses one line (without its newline); `undefined` for a blank line or a `nan` value. Throws
 * {@link GraphiteLineError}.
 */
export function parseGraphiteLine(text: string): GraphiteLine | undefined {
  const fields = text.split(/[ \t]+/).filter((field) => field !== '');
  if (fields.length === 0) return undefined;
  if (fields.length < 2) throw new GraphiteLineError('no value after the path');
  if (fields.length > 3) throw new GraphiteLineError('more than three fields');
  const [path = '', valueText = '', timestampText] = fields;
  if (path.length > MAX_GRAPHITE_PATH_LENGTH) {
    throw new GraphiteLineError(`path longer than ${String(MAX_GRAPHITE_PATH_LENGTH)}`);
  }
  if (path.split('.').includes(''))
    throw new GraphiteLineError(`path \`${path}' has an empty component`);
  if (path.includes('/')) throw new GraphiteLineError("'/' is not supported in a path");
  if (/^[+-]?nan$/i.test(valueText)) return undefined;
  const value = NUMBER.test(valueText) ? Number(valueText) : Number.NaN;
  if (!Number.isFinite(value)) throw new GraphiteLineError(`value \`${valueText}' is not a number`);
  if (timestampText === undefined || NOW.has(timestampText)) {
    return { path, value, timestampUs: undefined };
  }
  const seconds = NUMBER.test(timestampText) ? Number(timestampText) : Number.NaN;
  if (!(seconds >= 0 && seconds < 253_402_300_800)) {
    throw new GraphiteLineError(`timestamp \`${timestampText}' is not Unix seconds`);
  }
  return { path, value, timestampUs: Math.round(seconds * 1_000_000) };
}
