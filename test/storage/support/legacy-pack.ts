/** Packs as the file storage wrote them before pack slots, for the tests of reading them. */
import { crc32 } from 'node:zlib';

import { IN_FOLDER, type PackEntries } from '../../../src/storage/file/object-pack.ts';

/** A pack as written before slots (version 1), laid out by hand from the format's note. */
export function legacyPack(objects: PackEntries): Buffer {
  const index: Buffer[] = [Buffer.from('ORZP'), Buffer.of(1), u32(objects.size)];
  const data: Uint8Array[] = [];
  for (const [name, bytes] of objects) {
    index.push(Buffer.of(bytes === IN_FOLDER ? 1 : 0, name.length), Buffer.from(name, 'latin1'));
    if (bytes === IN_FOLDER) continue;
    index.push(u32(bytes.length));
    data.push(bytes);
  }
  const head = Buffer.concat(index);
  return Buffer.concat([head, u32(crc32(head)), ...data]);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}
