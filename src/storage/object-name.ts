/**
 * The names of a metric's stored objects (the same in every driver):
 *
 *     raw                        the BoundTimeSerie: raw points still needed, `encodeSeries`
 *     agg_<G>_<K>                every aggregation method of granularity G for the split with
 *                                key K, both integer microseconds in decimal (`split-bundle.ts`)
 *
 * e.g. `agg_60000000_1425600000000000`. Names are short ASCII words that never start with a dot,
 * so a driver may keep its own files (temporary ones) beside them under dotted names.
 */

/** The name of the raw buffer. */
export const RAW_OBJECT_NAME = 'raw';

const BUNDLE_NAME = /^agg_([1-9]\d{0,15})_(0|[1-9]\d{0,15})$/;
const OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/** Which split a split bundle object holds. */
export interface BundleAddress {
  /** Granularity (µs). */
  readonly granularity: number;
  /** Split key (µs). */
  readonly key: number;
}

/** The object name of the split bundle of one granularity and split key. */
export function bundleObjectName(granularity: number, key: number): string {
  return `agg_${granularity}_${key}`;
}

/** The granularity and split key a bundle name stands for; `undefined` for other names. */
export function parseBundleObjectName(name: string): BundleAddress | undefined {
  const match = BUNDLE_NAME.exec(name);
  if (match === null) return undefined;
  return { granularity: Number(match[1]), key: Number(match[2]) };
}

/** Whether a name may name an object: 1 to 200 of `A-Za-z0-9_.-`, not starting with a dot. */
export function isObjectName(name: string): boolean {
  return OBJECT_NAME.test(name);
}

/** Throws `RangeError` on a name that is not an object name. */
export function assertObjectName(name: string): void {
  if (!isObjectName(name)) throw new RangeError(`not a storage object name: ${name}`);
}

/** Throws `RangeError` unless every name of an update is an object name, in `put` or `remove`. */
export function assertObjectUpdate(update: {
  readonly put: ReadonlyMap<string, Uint8Array>;
  readonly remove: readonly string[];
}): void {
  for (const name of update.put.keys()) assertObjectName(name);
  for (const name of update.remove) {
    assertObjectName(name);
    if (update.put.has(name)) throw new RangeError(`object ${name} is both put and removed`);
  }
}
