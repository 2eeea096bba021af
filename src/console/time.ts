/**
 * Times as the console shows them: in the browser's zone, with UTC on hover; and the time range
 * presets of the series pickers.
 */

/** A time in the browser's zone, to the second. */
export function localTime(time: Date): string {
  return time.toLocaleString(undefined, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}

/** The same instant in UTC, ISO 8601. */
export function utcTime(time: Date): string {
  return `${time.toISOString().replace('.000Z', 'Z')} UTC`;
}

/** The preset ranges, in seconds back from now. */
export const RANGE_PRESETS: readonly (readonly [label: string, seconds: number])[] = [
  ['last 15 minutes', 900],
  ['last hour', 3_600],
  ['last 6 hours', 21_600],
  ['last 24 hours', 86_400],
  ['last 7 days', 604_800],
  ['last 30 days', 2_592_000],
];

/** A chosen range: a preset (seconds back from now) or custom bounds. */
export type TimeRange =
  | { readonly kind: 'preset'; readonly seconds: number }
  | { readonly kind: 'custom'; readonly start: Date; readonly stop: Date | undefined };

/** The `start` and `stop` query arguments of a range, as ISO 8601 UTC times. */
export function rangeQuery(range: TimeRange, now: Date): { start: string; stop?: string } {
  if (range.kind === 'preset') {
    return { start: new Date(now.getTime() - range.seconds * 1000).toISOString() };
  }
  return {
    start: range.start.toISOString(),
    ...(range.stop === undefined ? {} : { stop: range.stop.toISOString() }),
  };
}

/** A `datetime-local` input's value (browser zone) as a time; undefined when empty or invalid. */
export function parseLocalInput(value: string): Date | undefined {
  if (value === '') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** A duration in seconds as the API's policies write it: `1d`, `1h`, `5min`, `30s`. */
export function shortDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
