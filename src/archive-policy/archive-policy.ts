/**
 * The archive policy: which granularities a metric is aggregated at, how long each is kept, with
 * which aggregation methods, and how far back (the back window, in blocks of the largest
 * granularity) late measures are still accepted.
 *
 * A policy is validated once, on creation, with Gnocchi's rules and messages; afterwards it is a
 * frozen value whose durations are integer microseconds.
 */
import { RATE_PREFIX } from '../carbonara/aggregation-method.ts';
import {
  deriveArchivePolicyItem,
  parseArchivePolicyItemFields,
  type ArchivePolicyItem,
  type ArchivePolicyItemFields,
  type ArchivePolicyItemInput,
} from './archive-policy-item.ts';
import { InvalidArchivePolicyError, type InputPath } from './errors.ts';
import { formatSecondsFloat } from '../grammar/index.ts';
import {
  checkMaxLength,
  coerceInt,
  expectList,
  expectRecord,
  expectString,
  type FailField,
} from './input-checks.ts';
import {
  checkAggregationMethodEntries,
  resolveAggregationMethods,
} from './resolve-aggregation-methods.ts';

/** A validated archive policy. */
export interface ArchivePolicy {
  readonly name: string;
  /** Blocks of the largest granularity before the newest one in which measures are accepted. */
  readonly backWindow: number;
  /** In the order given on creation; granularities are unique. */
  readonly definition: readonly ArchivePolicyItem[];
  /** Resolved method names, sorted; never `*` nor a `+`/`-` operation. */
  readonly aggregationMethods: readonly string[];
}

/** An archive policy as a client sends it to `POST /v1/archive_policy`. */
export interface ArchivePolicyInput {
  readonly name: string;
  readonly back_window?: number | string;
  readonly definition: readonly ArchivePolicyItemInput[];
  readonly aggregation_methods?: readonly string[];
}

/** What {@link createArchivePolicy} needs besides the input. */
export interface ArchivePolicyOptions {
  /** Methods used when the input has none or only `+`/`-` operations (the config's). */
  readonly defaultAggregationMethods: readonly string[];
}

/** Longest name, the width of Gnocchi's name column. */
export const MAX_ARCHIVE_POLICY_NAME_LENGTH = 255;

const POLICY_KEYS = {
  required: ['name', 'definition'],
  optional: ['back_window', 'aggregation_methods'],
} as const;

const failField: FailField = (message, path) => {
  throw new InvalidArchivePolicyError(message, { path });
};

/** Validates a client's archive policy and resolves its items and aggregation methods. */
export function createArchivePolicy(
  input: ArchivePolicyInput,
  options: ArchivePolicyOptions,
): ArchivePolicy {
  // NOTE: as in Gnocchi, every field's shape is checked before the definition is reconciled.
  const record = expectRecord(input, [], POLICY_KEYS, failField);
  const name = checkArchivePolicyName(record.name);
  const backWindow = record.back_window === undefined ? 0 : parseBackWindow(record.back_window);
  const entries =
    record.aggregation_methods === undefined
      ? options.defaultAggregationMethods
      : parseAggregationMethodEntries(record.aggregation_methods);
  const fields = parseDefinitionFields(record.definition);
  const definition = checkUniqueGranularities(fields.map(deriveArchivePolicyItem));
  const aggregationMethods = resolveAggregationMethods(entries, options.defaultAggregationMethods);
  return Object.freeze({ name, backWindow, definition, aggregationMethods });
}

/**
 * Checks an archive policy name. Gnocchi accepts any string, but an empty name or one holding `/`
 * could never be addressed as `/v1/archive_policy/<name>`, so those are refused here.
 */
export function checkArchivePolicyName(value: unknown): string {
  const name = expectString(value, ['name'], failField);
  if (name === '') failField('length of value must be at least 1', ['name']);
  checkMaxLength(name, MAX_ARCHIVE_POLICY_NAME_LENGTH, ['name'], failField);
  // NOTE: worded as Gnocchi's refusal of `/` in metric names.
  if (name.includes('/')) {
    throw new InvalidArchivePolicyError("'/' is not supported in archive policy name");
  }
  return name;
}

/** Parses a back window: an integer (or integer string) of at least 0. */
export function parseBackWindow(value: unknown): number {
  const backWindow = coerceInt(value, ['back_window'], failField);
  if (backWindow < 0) failField('value must be at least 0', ['back_window']);
  return backWindow;
}

/**
 * Parses a definition list into items in the given order, refusing an empty list but not
 * repeated granularities (see {@link checkUniqueGranularities}).
 */
export function parseArchivePolicyItems(value: unknown): readonly ArchivePolicyItem[] {
  return Object.freeze(parseDefinitionFields(value).map(deriveArchivePolicyItem));
}

/** Refuses a definition in which two items share a granularity, with Gnocchi's message. */
export function checkUniqueGranularities(
  definition: readonly ArchivePolicyItem[],
): readonly ArchivePolicyItem[] {
  const seen = new Set<number>();
  for (const { granularity } of definition) {
    if (seen.has(granularity)) {
      throw new InvalidArchivePolicyError(
        `More than one archive policy uses granularity \`${formatSecondsFloat(granularity)}'`,
      );
    }
    seen.add(granularity);
  }
  return Object.freeze([...definition]);
}

function parseAggregationMethodEntries(value: unknown): readonly string[] {
  const entries = expectList(value, ['aggregation_methods'], failField).map((entry) =>
    typeof entry === 'string' ? entry : JSON.stringify(entry),
  );
  checkAggregationMethodEntries(entries);
  return entries;
}

function parseDefinitionFields(value: unknown): readonly ArchivePolicyItemFields[] {
  const path: InputPath = ['definition'];
  if (value === undefined) failField('required key not provided', path);
  const list = expectList(value, path, failField);
  if (list.length === 0) failField('length of value must be at least 1', path);
  return list.map((item, index) => parseArchivePolicyItemFields(item, [...path, index]));
}

/** The block size: the largest granularity, which sets how raw measures are kept and trimmed. */
export function blockSize(policy: ArchivePolicy): number {
  return Math.max(...policy.definition.map((item) => item.granularity));
}

/** Whether any method aggregates differences of consecutive raw points (`rate:…`). */
export function hasRateAggregation(policy: ArchivePolicy): boolean {
  return policy.aggregationMethods.some((method) => method.startsWith(RATE_PREFIX));
}

/**
 * The back window raw measures are kept for: one block more when a `rate:` method needs the point
 * before the oldest block to compute its first difference, as Gnocchi does.
 */
export function effectiveBackWindow(policy: ArchivePolicy): number {
  return policy.backWindow + (hasRateAggregation(policy) ? 1 : 0);
}

/** The longest retention among the items, or null when any item keeps its aggregates forever. */
export function maxTimespan(policy: ArchivePolicy): number | null {
  let longest = 0;
  for (const item of policy.definition) {
    if (item.timespan === null) return null;
    longest = Math.max(longest, item.timespan);
  }
  return longest;
}

/** The items ordered by granularity, finest first. */
export function definitionByGranularity(policy: ArchivePolicy): readonly ArchivePolicyItem[] {
  return [...policy.definition].sort((a, b) => a.granularity - b.granularity);
}

/** The item of a granularity (in microseconds), if the policy has one. */
export function findArchivePolicyItem(
  policy: ArchivePolicy,
  granularity: number,
): ArchivePolicyItem | undefined {
  return policy.definition.find((item) => item.granularity === granularity);
}
