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
 * Once the new pack is on disk, the other slot is cut to a retired record (`object-pack.ts`), so
 * that a metric keeps one pack on disk, not two; a reader that finds a slot retired by a newer
 * pack than the one it took reads again.
 *
 * Slot 0 is written first and removed last, so a metric without it has no slot 1 either: a new
 * metric's reads ask the file system once, not twice.
 *
 * A damaged disk that hits the current pack's data damages the objects it hits, the other slot
 * being retired; only where the older pack is still whole (a crash between a write's flush and
 * the retirement) does it become current instead, and the last pass's measures are lost.
 */
import { statSync } from 'node:fs';

import { readFileOfSizeIfPresentSync } from '../../fs/fs-helpers.ts';
import type { PackSlot } from './file-storage-layout.ts';
import {
  CorruptPackError,
  type DecodedPack,
  RETIRED_PACK_BYTES,
  TornPackError,
  decodePack,
} from './object-pack.ts';

/** A metric's current pack and which slot holds it. */
export interface CurrentPack extends DecodedPack {
  readonly slot: PackSlot;
}

/** What reading a metric's slots found. */
export interface SlotsRead {
  /** The pack reads go by; `undefined` when the metric has none. */
  readonly current: CurrentPack | undefined;
  /** What each slot held; `undefined` where it has no file. */
  readonly bytes: readonly [Uint8Array | undefined, Uint8Array | undefined];
  /**
   * Why the metric's pack is corrupt, naming it: slots are present and none reads (see
   * `currentPack`, which throws it).
   */
  readonly corrupt: CorruptPackError | undefined;
  /**
   * Whether a slot present was not a whole pack (empty, cut short, unreadable or not intact), or
   * was retired by a newer pack than the current one. A reader racing a writer in another
   * process sees this while the writer writes; it reads again, since a slot read whole before
   * two whole writes went by could otherwise pass for the newest.
   */
  readonly unsettled: boolean;
  /**
   * Whether every slot present but the current one is retired: no other pack, whole or in part,
   * that a writer could be writing.
   */
  readonly sole: boolean;
  /**
   * The slots' sizes (`undefined` where a slot has no file), given only by a read made under the
   * metric's lock, where they stay true until its update.
   */
  readonly sizes?: readonly [number | undefined, number | undefined];
}

/** Options of {@link readPackSlots}. */
export interface ReadPackSlotsOptions {
  /**
   * The caller holds the metric's lock, so no writer is caught writing a slot: one of a retired
   * record's length is taken for retired without being read (its generation, which tells a
   * reader racing writers that it took a stale pack, is of no use there). A slot cut short at that
   * length by a crash is no pack either, and is rewritten in place all the same.
   */
  readonly locked?: boolean;
}

/** What a slot passed over as retired, unread, holds for {@link SlotsRead.bytes}. */
const UNREAD_RETIRED = new Uint8Array(0);

/** Reads a metric's two slots and picks its current pack (see the module's note). */
export function readPackSlots(
  metricId: string,
  paths: readonly [string, string],
  options: ReadPackSlotsOptions = {},
): SlotsRead {
  let best: CurrentPack | undefined;
  let flawed = false;
  let retiredBy = -1;
  let corrupt: CorruptPackError | undefined;
  let retiredSlots = 0;
  const held: [Uint8Array | undefined, Uint8Array | undefined] = [undefined, undefined];
  const first = statSync(paths[0], { throwIfNoEntry: false })?.size;
  const sizes: [number | undefined, number | undefined] = [
    first,
    first === undefined ? undefined : statSync(paths[1], { throwIfNoEntry: false })?.size,
  ];
  for (const slot of [0, 1] as const) {
    const size = sizes[slot];
    if (size === undefined) break;
    // NOTE: a retired slot 0 has beside it the slot 1 that retired it; alone, it may be a pack
    // written before slots, which can be that short.
    const retiredLength = size === RETIRED_PACK_BYTES && (slot === 1 || sizes[1] !== undefined);
    if (options.locked === true && retiredLength) {
      held[slot] = UNREAD_RETIRED;
      retiredSlots++;
      continue;
    }
    const bytes = readFileOfSizeIfPresentSync(paths[slot], size);
    if (bytes === undefined) break;
    held[slot] = bytes;
    if (bytes.length === 0) {
      flawed = true;
      continue;
    }
    let decoded: DecodedPack;
    try {
      decoded = decodePack(bytes);
    } catch (error) {
      flawed = true;
      if (error instanceof TornPackError) continue;
      if (!(error instanceof CorruptPackError)) throw error;
      corrupt ??= new CorruptPackError(`metric ${metricId}: ${error.message}`);
      continue;
    }
    if (!decoded.intact) flawed = true;
    if (decoded.retired) {
      retiredBy = Math.max(retiredBy, decoded.generation);
      retiredSlots++;
      continue;
    }
    if (best === undefined || isBetter(decoded, best)) best = { ...decoded, slot };
  }
  return {
    current: best,
    bytes: held,
    unsettled: flawed || (best !== undefined && retiredBy > best.generation),
    corrupt: best === undefined ? corrupt : undefined,
    sole:
      best !== undefined && retiredSlots === held.filter((bytes) => bytes !== undefined).length - 1,
    ...(options.locked === true ? { sizes } : {}),
  };
}

/** Reads of a metric's pack slots while a writer in another process is caught writing one. */
const MAX_SETTLE_READS = 64;

/**
 * The slots, read again while one is not a whole pack, as when a writer in another process is
 * caught writing it: a slot read whole before two whole writes went by would otherwise pass for
 * the newest. The same bytes read twice are settled where a whole pack is among them (no write is
 * under way, and what is not whole is a crash's leftover or damage), or where the current pack,
 * damaged, is the only one (the other slot retired: nothing that a writer could be caught
 * writing). Otherwise a metric with no whole slot is read up to `MAX_SETTLE_READS` times.
 * `readSlots` reads them once (tests count its calls).
 */
export function readSettledPackSlots(
  metricId: string,
  paths: readonly [string, string],
  options: ReadPackSlotsOptions = {},
  readSlots: typeof readPackSlots = readPackSlots,
): SlotsRead {
  let read = readSlots(metricId, paths, options);
  for (let attempt = 1; read.unsettled && attempt < MAX_SETTLE_READS; attempt++) {
    const again = readSlots(metricId, paths, options);
    const settles = again.current?.intact === true || again.sole;
    if (settles && sameBytes(read.bytes, again.bytes)) return again;
    read = again;
  }
  return read;
}

function sameBytes(a: SlotsRead['bytes'], b: SlotsRead['bytes']): boolean {
  return a.every((bytes, slot) => {
    const other = b[slot];
    return bytes === undefined || other === undefined
      ? bytes === other
      : Buffer.compare(bytes, other) === 0;
  });
}

/** The current pack of slots read; throws their `corrupt` when there is none for it. */
export function currentPack(read: SlotsRead): CurrentPack | undefined {
  if (read.corrupt !== undefined) throw read.corrupt;
  return read.current;
}

/** The slot the next pack goes to: the one not holding the current pack. */
export function nextSlot(current: CurrentPack | undefined): PackSlot {
  return current === undefined || current.slot === 1 ? 0 : 1;
}

function isBetter(candidate: DecodedPack, than: DecodedPack): boolean {
  if (candidate.intact !== than.intact) return candidate.intact;
  return candidate.generation > than.generation;
}
