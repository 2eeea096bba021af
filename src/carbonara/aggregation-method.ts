/**
 * Gnocchi's aggregation method names: nine basic ones, percentiles `1pct` … `99pct`, and each of
 * those 108 prefixed with `rate:` (aggregating the differences between consecutive raw points).
 */
import { UnknownAggregationMethodError } from './errors.ts';

/** The basic methods, in Gnocchi's order. */
export const BASIC_AGGREGATION_METHODS = [
  'mean',
  'sum',
  'last',
  'max',
  'min',
  'std',
  'median',
  'first',
  'count',
] as const;

/** One of the basic methods. */
export type BasicAggregationMethod = (typeof BASIC_AGGREGATION_METHODS)[number];

/** The prefix that turns a method into its rate variant. */
export const RATE_PREFIX = 'rate:';

const PERCENTILE = /^([1-9][0-9]?)pct$/;

/** A method name taken apart. */
export interface AggregationMethod {
  /** The full name, e.g. `rate:95pct`. */
  readonly name: string;
  /** Whether it aggregates differences of consecutive raw points. */
  readonly rate: boolean;
  /** The basic method, or `pct` for a percentile. */
  readonly kind: BasicAggregationMethod | 'pct';
  /** For `pct`: the percentile, 1 to 99; otherwise 0. */
  readonly percentile: number;
}

/** Every one of the 216 names, basic first, then percentiles, then the rate variants. */
export const ALL_AGGREGATION_METHODS: readonly string[] = (() => {
  const base = [
    ...BASIC_AGGREGATION_METHODS,
    ...Array.from({ length: 99 }, (_unused, i) => `${i + 1}pct`),
  ];
  return Object.freeze([...base, ...base.map((name) => RATE_PREFIX + name)]);
})();

const KNOWN = new Set(ALL_AGGREGATION_METHODS);
const BASIC = new Set<string>(BASIC_AGGREGATION_METHODS);

/** Whether `name` is one of the 216 method names. */
export function isAggregationMethod(name: string): boolean {
  return KNOWN.has(name);
}

/** Takes a method name apart; throws {@link UnknownAggregationMethodError} on an unknown one. */
export function parseAggregationMethod(name: string): AggregationMethod {
  if (!KNOWN.has(name)) throw new UnknownAggregationMethodError(name);
  const rate = name.startsWith(RATE_PREFIX);
  const base = rate ? name.slice(RATE_PREFIX.length) : name;
  if (BASIC.has(base)) {
    return { name, rate, kind: base as BasicAggregationMethod, percentile: 0 };
  }
  const match = PERCENTILE.exec(base);
  return { name, rate, kind: 'pct', percentile: Number(match?.[1]) };
}
