/**
 * The pack: one file holding a metric's small objects, and naming those kept as files of their
 * own, so that a storage pass creates one file per metric instead of a folder and a file per
 * object (see `file-storage-driver.ts`).
 *
 *     index:  "ORZP" · version (u8, 1) · entry count (u32)
 *             per entry: place (u8: 0 in the pack, 1 in the metric folder) · name length (u8) ·
 *             name (ASCII) · for place 0, data length (u32)
 *             CRC-32 of the index (u32)
 *     data:   the packed objects' bytes, one after the other in entry order
 *
 * Integers are little-endian. Only the index is checksummed here: every object carries its own
 * checksum (`split-bundle.ts`, `raw-buffer.ts`), so a damaged byte among the data damages one
 * object, which the storage service keeps aside and rebuilds as it would a damaged file, instead
 * of the whole metric. A damaged index (a few dozen bytes) makes the pack unreadable.
 */
import { crc32 } from 'node:zlib';

import { assertObjectName } from '../object-name.ts';

/** Where an object of a packed metric lives: its bytes, or `IN_FOLDER` for a file of its own. */
export const IN_FOLDER = Symbol('in folder');

/** A metric's objects by name: bytes held in the pack, or `IN_FOLDER`. */
export type PackEntries = ReadonlyMap<string, Uint8Array | typeof IN_FOLDER>;

const MAGIC = [0x4f, 0x52, 0x5a, 0x50]; // "ORZP"
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 4;
const PLACE_PACK = 0;
const PLACE_FOLDER = 1;

/** A pack file that does not decode: damaged on disk, or not a pack. */
export class CorruptPackError extends Error {
  constructor(detail: string) {
    super(`corrupt storage pack: ${detail}`);
    this.name = 'CorruptPackError';
  }
}

/** The bytes of a pack holding `entries`, in their order. */
export function encodePack(entries: PackEntries): Buffer {
  let indexBytes = HEADER_BYTES;
  let dataBytes = 0;
  for (const [name, data] of entries) {
    assertObjectName(name);
    indexBytes += 2 + name.length + (data === IN_FOLDER ? 0 : 4);
    dataBytes += data === IN_FOLDER ? 0 : data.length;
  }
  const out = Buffer.allocUnsafe(indexBytes + 4 + dataBytes);
  out.set(MAGIC, 0);
  out.writeUInt8(VERSION, MAGIC.length);
  out.writeUInt32LE(entries.size, MAGIC.length + 1);
  let at = HEADER_BYTES;
  let dataAt = indexBytes + 4;
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
  out.writeUInt32LE(crc32(out.subarray(0, at)), at);
  return out;
}

/**
 * The entries of a pack; the bytes of each packed object are views into `bytes`. Throws
 * `CorruptPackError` when the index is damaged. A pack cut short gives its last objects short
 * (their own checksums then fail), and bytes after the last object are ignored.
 */
export function decodePack(bytes: Uint8Array): Map<string, Uint8Array | typeof IN_FOLDER> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < HEADER_BYTES + 4 || MAGIC.some((byte, i) => buffer[i] !== byte)) {
    throw new CorruptPackError('not a pack');
  }
  const count = buffer.readUInt32LE(MAGIC.length + 1);
  const places: [string, number | typeof IN_FOLDER][] = [];
  let at = HEADER_BYTES;
  const need = (length: number) => {
    if (at + length + 4 > buffer.length) throw new CorruptPackError('index cut short');
  };
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
  if (crc32(buffer.subarray(0, at)) !== buffer.readUInt32LE(at)) {
    throw new CorruptPackError('index checksum mismatch');
  }
  const version = buffer.readUInt8(MAGIC.length);
  if (version !== VERSION) throw new CorruptPackError(`unknown version ${version}`);
  const entries = new Map<string, Uint8Array | typeof IN_FOLDER>();
  let dataAt = at + 4;
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
