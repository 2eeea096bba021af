/**
 * A metric's two pack slots: each update rewrites, in place, the slot that does not hold the
 * current pack, with the next generation, and one flush of that file commits it.
 *
 * Why two slots: a pack written to a temporary file and renamed over the old one costs two
 * flushes in turn (the new file's bytes before the rename, then the folder after it) and a
 * rename, which with the file creation was most of a storage pass's wait and CPU on a new
 * metric. Rewriting the older slot needs one flush, and a file rewritten in place costs a
 * fraction of a new one (`npm run bench:pass` prints both). The checksums of `object-pack.ts`
 * make a slot cut short or half rewritten by a crash (or being rewritten by a writer in another
 * process, for a reader) tell itself apart from a whole one, and the other slot, untouched since
 * its own flush, is then current: each object is old or new, never a mix.
 *
 * The current pack is the intact slot of the highest generation; where neither is intact, the
 * readable one of the highest generation, for each object's own checksum to find the damage (a
 * damaged disk, not a crash: a crash damages only the slot being written, and the other one is
 * whole). A slot empty or cut short is no pack at all: the first write of a metric, interrupted.
 * Only where every slot present is unreadable is the metric's pack corrupt.
 *
 * Slot 0 is written first and removed last, so a metric without it has no slot 1 either: a new
 * metric's reads ask the file system once, not twice.
 *
 * A damaged disk that hits the newest slot's data makes its older slot current: the last pass's
 * measures are then lost, where a damaged object in a single pack would lose that object.
 */
import { readFileSync } from 'node:fs';

import { errorCode, pathExists } from '../../fs/fs-helpers.ts';
import type { PackSlot } from './file-storage-layout.ts';
import { CorruptPackError, type DecodedPack, TornPackError, decodePack } from './object-pack.ts';

/** A metric's current pack and which slot holds it. */
export interface CurrentPack extends DecodedPack {
  readonly slot: PackSlot;
}

/** What reading a metric's slots found. */
export interface SlotsRead {
  /** The pack reads go by; `undefined` when the metric has none. */
  readonly current: CurrentPack | undefined;
  /** Which slots have a file, whatever it holds. */
  readonly present: readonly [boolean, boolean];
  /**
   * Whether another read could find better: the current pack is not intact, or there is none
   * but a slot that did not read; a reader racing a writer in another process sees this while
   * the writer writes a metric's first pack, or rewrites the slot of a pack that is not intact.
   */
  readonly unsettled: boolean;
}

/**
 * Reads a metric's two slots and picks its current pack (see the module's note). Throws
 * `CorruptPackError`, naming the metric, when slots are present and none reads.
 */
export function readPackSlots(metricId: string, paths: readonly [string, string]): SlotsRead {
  let best: CurrentPack | undefined;
  let unreadable = false;
  let corrupt: CorruptPackError | undefined;
  const present: [boolean, boolean] = [false, false];
  for (const slot of [0, 1] as const) {
    const bytes = readOptional(paths[slot]);
    if (bytes === undefined) break;
    present[slot] = true;
    if (bytes.length === 0) continue;
    let decoded: DecodedPack;
    try {
      decoded = decodePack(bytes);
    } catch (error) {
      unreadable = true;
      if (error instanceof TornPackError) continue;
      if (!(error instanceof CorruptPackError)) throw error;
      corrupt ??= new CorruptPackError(`metric ${metricId}: ${error.message}`);
      continue;
    }
    if (best === undefined || isBetter(decoded, best)) best = { ...decoded, slot };
  }
  if (best === undefined && corrupt !== undefined) throw corrupt;
  return { current: best, present, unsettled: best === undefined ? unreadable : !best.intact };
}

/** The slot the next pack goes to: the one not holding the current pack. */
export function nextSlot(current: CurrentPack | undefined): PackSlot {
  return current === undefined || current.slot === 1 ? 0 : 1;
}

function isBetter(candidate: DecodedPack, than: DecodedPack): boolean {
  if (candidate.intact !== than.intact) return candidate.intact;
  return candidate.generation > than.generation;
}

/**
 * A file's bytes, or `undefined` when it does not exist. Absence is asked first (see
 * `pathExists`): a new metric's pass asks for several files that do not exist yet.
 */
export function readOptional(path: string): Uint8Array | undefined {
  if (!pathExists(path)) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    // NOTE: ENOENT: removed since it was asked for (its metric deleted, or a slot emptied).
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
