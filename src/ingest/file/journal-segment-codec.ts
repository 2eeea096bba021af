/**
 * The bytes of an incoming journal segment: a header naming the boot it was written in, then
 * records appended one commit group at a time, each framed by its length and a CRC-32:
 *
 *     header:  "ORZOJNL1"  u8 boot-id length  boot id (ASCII)
 *     record:  u32 payload length  u32 CRC-32 of payload  payload
 *     payload: u8 path length  path (ASCII, relative to DIR/incoming)  batch bytes
 *
 * A crash can cut the last group short; a reader stops at the first record that is cut or fails
 * its check, since nothing after it was ever acknowledged.
 */
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('ORZOJNL1', 'ascii');
const RECORD_HEAD = 8;

/** One batch as the journal keeps it. */
export interface JournalRecord {
  /** `<sack folder>/<metric id>/<batch name>`, under `DIR/incoming`. */
  readonly path: string;
  readonly data: Uint8Array;
}

/** A segment as read back. */
export interface DecodedSegment {
  readonly bootId: string;
  readonly records: JournalRecord[];
}

/** The header of a new segment. */
export function encodeSegmentHeader(bootId: string): Buffer {
  const id = Buffer.from(bootId, 'ascii');
  if (id.length > 255) throw new RangeError('boot id too long');
  return Buffer.concat([MAGIC, Buffer.of(id.length), id]);
}

/** The bytes of a group of records, to append in one write. */
export function encodeRecords(records: readonly JournalRecord[]): Buffer {
  let size = 0;
  for (const record of records) size += RECORD_HEAD + 1 + record.path.length + record.data.length;
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const { path, data } of records) {
    if (path.length > 255) throw new RangeError(`journal path too long: ${path}`);
    const payload = 1 + path.length + data.length;
    const start = offset + RECORD_HEAD;
    out[start] = path.length;
    out.write(path, start + 1, 'ascii');
    out.set(data, start + 1 + path.length);
    out.writeUInt32LE(payload, offset);
    out.writeUInt32LE(crc32(out.subarray(start, start + payload)), offset + 4);
    offset = start + payload;
  }
  return out;
}

/** Reads a segment; `undefined` when even its header is incomplete or foreign. */
export function decodeSegment(bytes: Buffer): DecodedSegment | undefined {
  if (bytes.length < MAGIC.length + 1 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    return undefined;
  }
  const idLength = bytes[MAGIC.length] as number;
  let offset = MAGIC.length + 1 + idLength;
  if (bytes.length < offset) return undefined;
  const bootId = bytes.toString('ascii', MAGIC.length + 1, offset);
  const records: JournalRecord[] = [];
  while (offset + RECORD_HEAD <= bytes.length) {
    const payload = bytes.readUInt32LE(offset);
    const start = offset + RECORD_HEAD;
    if (payload < 1 || start + payload > bytes.length) break;
    const body = bytes.subarray(start, start + payload);
    if (crc32(body) !== bytes.readUInt32LE(offset + 4)) break;
    const pathLength = body[0] as number;
    if (1 + pathLength > payload) break;
    records.push({
      path: body.toString('ascii', 1, 1 + pathLength),
      data: body.subarray(1 + pathLength),
    });
    offset = start + payload;
  }
  return { bootId, records };
}
