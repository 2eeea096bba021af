/**
 * Where each object of a metric goes in one update of the file storage driver: in the pack
 * (rewritten whole at every update) or in a file of its own in the metric folder.
 *
 * The last object put (the raw buffer, in practice) always goes in the pack, so that the pack's
 * flush is the step that applies it after everything else. Other objects put go in the pack
 * while they are small and it has room, those put first first; objects already packed and left
 * untouched keep their place while room remains, and are moved out to files when it does not.
 * Bounding the pack bounds what every update rewrites: a metric with many splits keeps its old,
 * cold ones as files, and the ones its passes rewrite (the newest split of each granularity,
 * the raw buffer) in the pack.
 */
import type { ObjectUpdate } from '../storage-driver.ts';
import { IN_FOLDER, type PackEntries } from './object-pack.ts';

/** Sizes that decide what the pack holds. */
export interface PackLimits {
  /** An object larger than this goes to a file of its own (unless it is the last put). */
  readonly objectBytes: number;
  /** The packed objects' bytes are kept under this, the last put aside. */
  readonly packBytes: number;
}

/** The default limits: a pack rewrite costs tens of microseconds, not a copy of the metric. */
export const DEFAULT_PACK_LIMITS: PackLimits = { objectBytes: 64 * 1024, packBytes: 256 * 1024 };

/** The steps of one update. */
export interface PackPlan {
  /** The new pack's entries; empty when the metric has no object left. */
  readonly entries: Map<string, Uint8Array | typeof IN_FOLDER>;
  /** Objects to write as files of their own, before the pack. */
  readonly files: Map<string, Uint8Array>;
  /** Files of removed objects, to unlink before the pack. */
  readonly unlinkBefore: string[];
  /** Files of objects now in the pack, to unlink after it (the pack's copy wins meanwhile). */
  readonly unlinkAfter: string[];
}

/** The plan of `update` on a metric whose objects are `previous`. */
export function planPack(
  previous: PackEntries,
  update: ObjectUpdate,
  limits: PackLimits = DEFAULT_PACK_LIMITS,
): PackPlan {
  const plan: PackPlan = {
    entries: new Map(),
    files: new Map(),
    unlinkBefore: [],
    unlinkAfter: [],
  };
  const last = [...update.put.keys()].at(-1);
  let room = limits.packBytes;
  const place = (name: string, data: Uint8Array, mustPack: boolean): void => {
    if (mustPack || (data.length <= limits.objectBytes && data.length <= room)) {
      room -= mustPack ? 0 : data.length;
      plan.entries.set(name, data);
      if (previous.get(name) === IN_FOLDER) plan.unlinkAfter.push(name);
    } else {
      plan.entries.set(name, IN_FOLDER);
      plan.files.set(name, data);
    }
  };
  const lastData = last === undefined ? undefined : update.put.get(last);
  if (last !== undefined && lastData !== undefined) place(last, lastData, true);
  for (const [name, data] of update.put) if (name !== last) place(name, data, false);
  const removed = new Set(update.remove);
  for (const [name, data] of previous) {
    if (update.put.has(name)) continue;
    if (removed.has(name)) {
      if (data === IN_FOLDER) plan.unlinkBefore.push(name);
    } else if (data === IN_FOLDER) {
      plan.entries.set(name, IN_FOLDER);
    } else {
      place(name, data, false);
    }
  }
  return plan;
}
