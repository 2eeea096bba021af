import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CorruptPackError,
  IN_FOLDER,
  decodePack,
  encodePack,
} from '../../src/storage/file/object-pack.ts';

const entries = new Map<string, Uint8Array | typeof IN_FOLDER>([
  ['agg_60000000_0', Uint8Array.of(1, 2, 3)],
  ['agg_3600000000_0', IN_FOLDER],
  ['empty', new Uint8Array(0)],
  ['raw', Uint8Array.from({ length: 70_000 }, (_, i) => i % 251)],
]);

describe('object pack', () => {
  it('decodes what it encodes, in order, objects in the pack and in the folder alike', () => {
    const decoded = decodePack(encodePack(entries));
    assert.deepEqual([...decoded.keys()], [...entries.keys()]);
    for (const [name, data] of entries) {
      const found = decoded.get(name);
      assert.deepEqual(
        found === IN_FOLDER ? found : [...(found ?? [])],
        data === IN_FOLDER ? data : [...data],
      );
    }
    assert.equal(decodePack(encodePack(new Map())).size, 0);
  });

  it('refuses a pack whose index has any byte changed or is cut short', () => {
    const bytes = encodePack(entries);
    const indexEnd = bytes.length - 70_000 - 3;
    for (const at of [0, 4, 5, 9, 12, 40, indexEnd - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = (damaged[at] ?? 0) ^ 0x10;
      assert.throws(() => decodePack(damaged), CorruptPackError, `byte ${String(at)}`);
    }
    assert.throws(() => decodePack(bytes.subarray(0, 30)), CorruptPackError);
    assert.throws(() => decodePack(new Uint8Array(3)), /not a pack/);
  });

  it('leaves damage among the data to the one object it hits, for its own checksum to find', () => {
    const bytes = encodePack(entries);
    const damaged = Buffer.from(bytes);
    const at = bytes.length - 100;
    damaged[at] = (damaged[at] ?? 0) ^ 0x10;
    const decoded = decodePack(damaged);
    assert.deepEqual([...(decoded.get('agg_60000000_0') as Uint8Array)], [1, 2, 3]);
    const raw = decoded.get('raw') as Uint8Array;
    assert.equal(raw.length, 70_000);
    assert.notDeepEqual([...raw], [...(entries.get('raw') as Uint8Array)]);
    const short = decodePack(bytes.subarray(0, bytes.length - 10));
    assert.equal((short.get('raw') as Uint8Array).length, 69_990);
  });

  it('refuses names that are not object names', () => {
    assert.throws(() => encodePack(new Map([['../raw', new Uint8Array(1)]])), RangeError);
  });
});
