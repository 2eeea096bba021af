/**
 * Resolution of an archive policy's `aggregation_methods` input into the set of methods stored.
 *
 * Input entries are method names, `*` (all 216), `+name` (add) and `-name` (remove). The starting
 * set is every method when `*` is present, else the configured defaults when every entry is an
 * operation (an empty list included, as in Gnocchi), else the plain names given. The operations
 * then apply in input order.
 *
 * NOTE: Gnocchi, when plain names and operations are mixed (`["mean", "-max", "+sum"]`), keeps the
 * literal `-max` and `+sum` in the stored set, where metricd later fails on them. Here the
 * operations always apply, so a stored set holds only real method names.
 */
import {
  ALL_AGGREGATION_METHODS,
  isAggregationMethod,
  parseAggregationMethod,
} from '../carbonara/aggregation-method.ts';
import { InvalidArchivePolicyError } from './errors.ts';
import { pythonStrRepr } from '../grammar/index.ts';

/** The entry that stands for every aggregation method. */
export const ALL_AGGREGATION_METHODS_ENTRY = '*';

/** Whether `entry` may appear in an `aggregation_methods` input list. */
export function isAggregationMethodEntry(entry: string): boolean {
  if (entry === ALL_AGGREGATION_METHODS_ENTRY) return true;
  const operation = entry.startsWith('+') || entry.startsWith('-');
  return isAggregationMethod(operation ? entry.slice(1) : entry);
}

/** Refuses unknown entries, naming them all as Gnocchi does (a Python set of strings). */
export function checkAggregationMethodEntries(entries: readonly string[]): void {
  const invalid = [...new Set(entries.filter((entry) => !isAggregationMethodEntry(entry)))];
  if (invalid.length > 0) {
    throw new InvalidArchivePolicyError(
      `Invalid value for aggregation_methods: {${invalid.map(pythonStrRepr).join(', ')}}`,
    );
  }
}

/**
 * The sorted method names that `entries` resolve to; unknown entries are refused with Gnocchi's
 * message, and each default must be a method name (a misconfiguration otherwise).
 */
export function resolveAggregationMethods(
  entries: readonly string[],
  defaultAggregationMethods: readonly string[],
): readonly string[] {
  checkAggregationMethodEntries(entries);
  const isOperation = (entry: string) => entry.startsWith('+') || entry.startsWith('-');
  const plain = entries.filter((entry) => !isOperation(entry));
  let start: readonly string[];
  if (plain.includes(ALL_AGGREGATION_METHODS_ENTRY)) start = ALL_AGGREGATION_METHODS;
  else if (plain.length === 0) start = defaultAggregationMethods.map(checkDefault);
  else start = plain;
  const methods = new Set(start);
  for (const entry of entries) {
    if (entry.startsWith('+')) methods.add(entry.slice(1));
    else if (entry.startsWith('-')) methods.delete(entry.slice(1));
  }
  // NOTE: Gnocchi stores a set, whose order varies between processes; a sorted list is one
  // stable order that compares equal to it as a set.
  return Object.freeze([...methods].sort());
}

function checkDefault(name: string): string {
  return parseAggregationMethod(name).name;
}
