/**
 * The pack: one file holding a metric's small objects, and naming those kept as files of their
 * own, so that a storage pass writes one file per metric instead of a folder and a file per
 * object (see `file-storage-driver.ts`). A metric has two pack slots, rewritten in turn in place
 * (`pack-slots.ts`); the generation says which is newer, and the checksums say whether a slot
 * holds a whole write.
 *
 *     header: "ORZP" · version (u8, 2) · flags (u8: 1 retired) · generation (u48) · total bytes
 *             (u32) · CRC-32 of these (u32)
 *     index:  entry count (u32)
 *             per entry: place (u8: 0 in the pack, 1 in the metric folder) · name length (u8) ·
 *             name (ASCII) · for place 0, data length (u32)
 *             CRC-32 of the data (u32) · CRC-32 of the header and index before it (u32)
 *     data:   the packed objects' bytes, one after the other in entry order
 *
 * Integers are little-endian. A pack shorter than its header says is a write cut short by a
 * crash (`TornPackError`): its measures are still waiting in incoming, as they are deleted only
 * once the pack is on disk. A damaged header or index makes the pack unreadable
 * (`CorruptPackError`). A pack whose data checksum fails decodes all the same, marked not
 * intact: the slot reader prefers the other slot then, and where there is none each object's own
 * checksum (`split-bundle.ts`, `raw-buffer.ts`) finds the damage, so that the storage service
 * keeps that object aside and rebuilds it instead of losing the metric.
 *
 * A retired pack holds nothing: what a slot is cut to once the other slot holds a newer pack, so
 * that a metric's disk holds one pack, not two. Its generation is that of the pack that
 * superseded it, which tells a reader that read the other slot before that write that it read
 * an old pack.
 *
 * Version 1, written before slots (to a temporary file renamed over the pack), has no
 * generation, total or data checksum: `"ORZP" · 1 · entry count (u32) · entries · CRC-32 of the
 * index (u32) · data`. It is read as generation 0, intact.
 */
import { crc32 } from 'node:zlib';

import { assertObjectName } from '../object-name.ts';

/** Where an object of a packed metric lives: its bytes, or `IN_FOLDER` for a file of its own. */
export const IN_FOLDER = Symbol('in folder');

/** A metric's objects by name: bytes held in the pack, or `IN_FOLDER`. */
export type PackEntries = ReadonlyMap<string, Uint8Array | typeof IN_FOLDER>;

/** A decoded pack. */
export interface DecodedPack {
  /** The metric's write that made it: higher is newer; 0 for version 1. */
  readonly generation: number;
  /** The objects, the bytes of packed ones being views into the pack's bytes. */
  readonly entries: Map<string, Uint8Array | typeof IN_FOLDER>;
  /** Whether the data's checksum holds (always for version 1, which has none). */
  readonly intact: boolean;
  /** Whether it is a retired slot's record (see the module's note): no entries. */
  readonly retired: boolean;
}

const MAGIC = [0x4f, 0x52, 0x5a, 0x50]; // "ORZP"
const VERSION = 2;
const LEGACY_VERSION = 1;
const LEGACY_HEADER_BYTES = MAGIC.length + 1 + 4;
const FLAGS_AT = MAGIC.length + 1;
const RETIRED = 1;
const GENERATION_AT = FLAGS_AT + 1;
const TOTAL_AT = GENERATION_AT + 6;
const HEADER_CRC_AT = TOTAL_AT + 4;
const HEADER_BYTES = HEADER_CRC_AT + 4;
/** The highest generation a pack holds. */
export const MAX_GENERATION = 2 ** 48 - 1;
const PLACE_PACK = 0;
const PLACE_FOLDER = 1;

/** A pack file that does not decode: damaged on disk, or not a pack. */
export class CorruptPackError extends Error {
  constructor(detail: string) {
    super(`corrupt storage pack: ${detail}`);
    this.name = 'CorruptPackError';
  }
}

/** A pack shorter than its header says: a write cut short, which never committed. */
export class TornPackError extends Error {
  constructor(detail: string) {
    super(`torn storage pack: ${detail}`);
    this.name = 'TornPackError';
  }
}

/**
 * The bytes of a pack holding `entries`, in their order, made by the metric's write number
 * `generation`.
 */
export function encodePack(entries: PackEntries, generation: number): Buffer {
  return encode(entries, generation, 0);
}

/** The bytes of a retired slot, superseded by the pack of `generation`. */
export function encodeRetiredPack(generation: number): Buffer {
  return encode(new Map(), generation, RETIRED);
}

/**
 * How long a retired slot is, whatever its generation. No pack of this version that holds objects
 * is this short (an update that leaves none removes the metric's packs instead of writing an empty
 * one); one of version 1, in slot 0, can be.
 */
export const RETIRED_PACK_BYTES = encodeRetiredPack(1).length;

function encode(entries: PackEntries, generation: number, flags: number): Buffer {
  if (!Number.isSafeInteger(generation) || generation < 1 || generation > MAX_GENERATION) {
    throw new RangeError(`pack generation out of range: ${String(generation)}`);
  }
  let indexEnd = HEADER_BYTES + 4;
  let dataBytes = 0;
  for (const [name, data] of entries) {
    assertObjectName(name);
    indexEnd += 2 + name.length + (data === IN_FOLDER ? 0 : 4);
    dataBytes += data === IN_FOLDER ? 0 : data.length;
  }
  const dataStart = indexEnd + 8;
  const out = Buffer.allocUnsafe(dataStart + dataBytes);
  out.set(MAGIC, 0);
  out.writeUInt8(VERSION, MAGIC.length);
  out.writeUInt8(flags, FLAGS_AT);
  out.writeUIntLE(generation, GENERATION_AT, 6);
  out.writeUInt32LE(out.length, TOTAL_AT);
  out.writeUInt32LE(crc32(out.subarray(0, HEADER_CRC_AT)), HEADER_CRC_AT);
  out.writeUInt32LE(entries.size, HEADER_BYTES);
  let at = HEADER_BYTES + 4;
  let dataAt = dataStart;
  for (const [name, data] of entries) {
    out.writeUInt8(data === IN_FOLDER ? PLACE_FOLDER : PLACE_PACK, at);
    out.writeUInt8(name.length, at + 1);
    at += 2 + out.write(name, at + 2, 'latin1');
    if (data === IN_FOLDER) continue;
    out.writeUInt32LE(data.length, at);
    at += 4;
    out.set(data, dataAt);
    dataAt += data.length;
  }
  out.writeUInt32LE(crc32(out.subarray(dataStart)), at);
  out.writeUInt32LE(crc32(out.subarray(0, at + 4)), at + 4);
  return out;
}

/**
 * Decodes a pack; the bytes of packed objects are views into `bytes`, and bytes past the
 * pack's total (left by a longer pack rewritten in place) are ignored. Throws `TornPackError`
 * for a pack cut short, `CorruptPackError` when its header or index is damaged.
 */
export function decodePack(bytes: Uint8Array): DecodedPack {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < MAGIC.length + 1 || MAGIC.some((byte, i) => buffer[i] !== byte)) {
    throw new CorruptPackError('not a pack');
  }
  const version = buffer.readUInt8(MAGIC.length);
  if (version === LEGACY_VERSION) return decodeLegacy(buffer);
  if (version !== VERSION) throw new CorruptPackError(`unknown version ${String(version)}`);
  if (buffer.length < HEADER_BYTES) throw new TornPackError('header cut short');
  if (crc32(buffer.subarray(0, HEADER_CRC_AT)) !== buffer.readUInt32LE(HEADER_CRC_AT)) {
    throw new CorruptPackError('header checksum mismatch');
  }
  const total = buffer.readUInt32LE(TOTAL_AT);
  if (buffer.length < total) {
    throw new TornPackError(`${String(buffer.length)} of ${String(total)} bytes`);
  }
  const pack = buffer.subarray(0, total);
  const { places, end } = readIndex(pack, HEADER_BYTES, 8);
  if (crc32(pack.subarray(0, end + 4)) !== pack.readUInt32LE(end + 4)) {
    throw new CorruptPackError('index checksum mismatch');
  }
  const flags = pack.readUInt8(FLAGS_AT);
  if ((flags & ~RETIRED) !== 0) throw new CorruptPackError(`unknown flags ${String(flags)}`);
  const dataStart = end + 8;
  const intact = crc32(pack.subarray(dataStart)) === pack.readUInt32LE(end);
  return {
    generation: pack.readUIntLE(GENERATION_AT, 6),
    entries: entriesAt(pack, places, dataStart),
    intact,
    retired: (flags & RETIRED) !== 0,
  };
}

function decodeLegacy(buffer: Buffer): DecodedPack {
  if (buffer.length < LEGACY_HEADER_BYTES + 4) throw new CorruptPackError('not a pack');
  const { places, end } = readIndex(buffer, MAGIC.length + 1, 4);
  if (crc32(buffer.subarray(0, end)) !== buffer.readUInt32LE(end)) {
    throw new CorruptPackError('index checksum mismatch');
  }
  return {
    generation: 0,
    entries: entriesAt(buffer, places, end + 4),
    intact: true,
    retired: false,
  };
}

/**
 * Reads an index's entries from its entry count at `at`; `after` bytes of checksums must follow
 * it. Returns the entries (data length, or `IN_FOLDER`) and where the index ends.
 */
function readIndex(
  buffer: Buffer,
  at: number,
  after: number,
): { places: [string, number | typeof IN_FOLDER][]; end: number } {
  const need = (length: number) => {
    if (at + length + after > buffer.length) throw new CorruptPackError('index cut short');
  };
  need(4);
  const count = buffer.readUInt32LE(at);
  at += 4;
  const places: [string, number | typeof IN_FOLDER][] = [];
  for (let index = 0; index < count; index++) {
    need(2);
    const place = buffer.readUInt8(at);
    const nameLength = buffer.readUInt8(at + 1);
    need(2 + nameLength);
    const name = buffer.toString('latin1', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    if (place === PLACE_PACK) {
      need(4);
      places.push([name, buffer.readUInt32LE(at)]);
      at += 4;
    } else {
      places.push([name, place === PLACE_FOLDER ? IN_FOLDER : -1]);
    }
  }
  return { places, end: at };
}

/** The entries of an index whose data starts at `dataAt`; data cut short gives short objects. */
function entriesAt(
  buffer: Buffer,
  places: readonly [string, number | typeof IN_FOLDER][],
  dataAt: number,
): Map<string, Uint8Array | typeof IN_FOLDER> {
  const entries = new Map<string, Uint8Array | typeof IN_FOLDER>();
  for (const [name, length] of places) {
    if (length === IN_FOLDER) {
      entries.set(name, IN_FOLDER);
      continue;
    }
    if (length < 0) throw new CorruptPackError(`unknown place of ${name}`);
    entries.set(name, buffer.subarray(Math.min(dataAt, buffer.length), dataAt + length));
    dataAt += length;
  }
  return entries;
}
