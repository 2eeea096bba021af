/**
 * One line of an archive policy's definition: how finely (granularity) and for how long (timespan,
 * or a number of points) a metric's aggregates are kept. All durations are integer microseconds.
 */
import { InvalidArchivePolicyError, type InputPath } from './errors.ts';
import { coerceInt, expectRecord, type FailField } from './input-checks.ts';
import { InvalidTimespanError, parsePositiveTimespan } from '../grammar/index.ts';

/** A granularity with its retention; `points` and `timespan` are both null for no expiry. */
export interface ArchivePolicyItem {
  /** Width of one aggregate, in microseconds. */
  readonly granularity: number;
  /** Aggregates kept, or null when retention is unbounded. */
  readonly points: number | null;
  /** `granularity × points` in microseconds, or null when retention is unbounded. */
  readonly timespan: number | null;
}

/** A definition item as a client sends it: seconds or timespan strings, any two of three. */
export interface ArchivePolicyItemInput {
  readonly granularity?: number | string | null;
  readonly points?: number | string | null;
  readonly timespan?: number | string | null;
}

/** A definition item whose fields have been parsed but not yet reconciled. */
export interface ArchivePolicyItemFields {
  readonly granularity?: number | undefined;
  readonly points?: number | undefined;
  readonly timespan?: number | undefined;
}

const ITEM_KEYS = { required: [], optional: ['granularity', 'points', 'timespan'] } as const;

const failField: FailField = (message, path) => {
  throw new InvalidArchivePolicyError(message, { path });
};

/** Parses and reconciles one definition item from client input (`path` locates it in errors). */
export function createArchivePolicyItem(
  input: ArchivePolicyItemInput,
  path: InputPath = [],
): ArchivePolicyItem {
  return deriveArchivePolicyItem(parseArchivePolicyItemFields(input, path));
}

/**
 * Checks the shape of one definition item and parses its fields, as Gnocchi's REST schema does
 * before its model sees them: granularity and timespan must be positive timespans and points an
 * integer. A null field counts as absent, so a definition read back from the API can be sent again.
 */
export function parseArchivePolicyItemFields(
  input: unknown,
  path: InputPath = [],
): ArchivePolicyItemFields {
  const record = expectRecord(input, path, ITEM_KEYS, failField);
  const timespanField = (key: 'granularity' | 'timespan'): number | undefined => {
    const value = record[key];
    if (value === undefined || value === null) return undefined;
    try {
      return parsePositiveTimespan(value as number | string);
    } catch (error) {
      if (!(error instanceof InvalidTimespanError)) throw error;
      throw new InvalidArchivePolicyError(error.message, { path: [...path, key], cause: error });
    }
  };
  const points = record.points;
  return {
    granularity: timespanField('granularity'),
    points:
      points === undefined || points === null
        ? undefined
        : coerceInt(points, [...path, 'points'], failField),
    timespan: timespanField('timespan'),
  };
}

/**
 * Reconciles granularity, points and timespan as Gnocchi's `ArchivePolicyItem` does: any two give
 * the third, points derived from a timespan are floored and the timespan recomputed from them, and
 * a granularity alone means unbounded retention.
 */
export function deriveArchivePolicyItem(fields: ArchivePolicyItemFields): ArchivePolicyItem {
  const { points, timespan } = fields;
  let granularity = fields.granularity;
  if (granularity !== undefined && points !== undefined && timespan !== undefined) {
    if (timespan !== granularity * points) fail('timespan ≠ granularity × points');
  }
  if (granularity !== undefined && granularity <= 0) fail('Granularity should be > 0');
  if (points !== undefined && points <= 0) fail('Number of points should be > 0');
  if (granularity === undefined) {
    if (points === undefined || timespan === undefined) {
      fail('At least two of granularity/points/timespan must be provided');
    }
    // NOTE: Gnocchi truncates the quotient to whole nanoseconds; the engine's unit is the
    // microsecond, so it is floored to that instead.
    granularity = Math.floor(timespan / points);
    if (granularity <= 0) fail('Granularity should be > 0');
  }
  if (points === undefined) {
    if (timespan === undefined) return Object.freeze({ granularity, points: null, timespan: null });
    const derived = Math.floor(timespan / granularity);
    if (derived <= 0) fail('Calculated number of points is < 0');
    return item(granularity, derived);
  }
  return item(granularity, points);
}

function item(granularity: number, points: number): ArchivePolicyItem {
  const timespan = granularity * points;
  if (!Number.isSafeInteger(timespan)) fail('Timespan is too large');
  return Object.freeze({ granularity, points, timespan });
}

function fail(message: string): never {
  throw new InvalidArchivePolicyError(message);
}
