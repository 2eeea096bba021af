import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CorruptPackError,
  IN_FOLDER,
  MAX_GENERATION,
  type PackEntries,
  TornPackError,
  decodePack,
  encodePack,
  encodeRetiredPack,
} from '../../src/storage/file/object-pack.ts';
import { legacyPack } from './support/legacy-pack.ts';

const entries = new Map<string, Uint8Array | typeof IN_FOLDER>([
  ['agg_60000000_0', Uint8Array.of(1, 2, 3)],
  ['agg_3600000000_0', IN_FOLDER],
  ['empty', new Uint8Array(0)],
  ['raw', Uint8Array.from({ length: 70_000 }, (_, i) => i % 251)],
]);

describe('object pack', () => {
  const same = (found: PackEntries, expected: PackEntries) => {
    assert.deepEqual([...found.keys()], [...expected.keys()]);
    for (const [name, data] of expected) {
      const got = found.get(name);
      assert.deepEqual(
        got === IN_FOLDER ? got : [...(got ?? [])],
        data === IN_FOLDER ? data : [...data],
      );
    }
  };

  it('decodes what it encodes, in order, with its generation, whole', () => {
    const decoded = decodePack(encodePack(entries, 7));
    same(decoded.entries, entries);
    assert.equal(decoded.generation, 7);
    assert.equal(decoded.intact, true);
    const top = decodePack(encodePack(new Map(), MAX_GENERATION));
    assert.deepEqual([top.entries.size, top.generation, top.intact], [0, MAX_GENERATION, true]);
    for (const generation of [0, -1, 1.5, MAX_GENERATION + 1]) {
      assert.throws(() => encodePack(entries, generation), RangeError);
    }
  });

  it('ignores the bytes past its end that a longer pack rewritten in place leaves', () => {
    const longer = encodePack(entries, 1);
    const shorter = encodePack(new Map([['raw', Uint8Array.of(9)]]), 2);
    const rewritten = Buffer.from(longer);
    rewritten.set(shorter, 0);
    const decoded = decodePack(rewritten);
    assert.deepEqual([decoded.generation, decoded.intact], [2, true]);
    same(decoded.entries, new Map([['raw', Uint8Array.of(9)]]));
  });

  it('tells a pack cut short, a write that never committed, from a damaged one', () => {
    const bytes = encodePack(entries, 3);
    for (const length of [5, 18, 19, 40, bytes.length - 1]) {
      assert.throws(() => decodePack(bytes.subarray(0, length)), TornPackError, String(length));
    }
    assert.throws(() => decodePack(new Uint8Array(3)), /not a pack/);
  });

  it('refuses a pack whose header or index has any byte changed', () => {
    const bytes = encodePack(entries, 3);
    const indexEnd = bytes.length - 70_000 - 3;
    for (const at of [0, 4, 5, 9, 12, 16, 20, 40, indexEnd - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = (damaged[at] ?? 0) ^ 0x10;
      assert.throws(() => decodePack(damaged), CorruptPackError, `byte ${String(at)}`);
    }
  });

  it('marks damage among the data, and leaves it to the one object it hits', () => {
    const bytes = encodePack(entries, 3);
    const damaged = Buffer.from(bytes);
    const at = bytes.length - 100;
    damaged[at] = (damaged[at] ?? 0) ^ 0x10;
    const decoded = decodePack(damaged);
    assert.equal(decoded.intact, false);
    assert.deepEqual([...(decoded.entries.get('agg_60000000_0') as Uint8Array)], [1, 2, 3]);
    const raw = decoded.entries.get('raw') as Uint8Array;
    assert.equal(raw.length, 70_000);
    assert.notDeepEqual([...raw], [...(entries.get('raw') as Uint8Array)]);
  });

  it('encodes a retired slot: no entries, the generation that retired it', () => {
    const retired = decodePack(encodeRetiredPack(9));
    assert.deepEqual([retired.generation, retired.retired, retired.entries.size], [9, true, 0]);
    assert.equal(decodePack(encodePack(entries, 9)).retired, false);
    const flagged = encodePack(entries, 9);
    flagged[5] = 0x80;
    assert.throws(() => decodePack(flagged), CorruptPackError);
  });

  it('reads a pack written before slots as generation 0, whole', () => {
    const decoded = decodePack(legacyPack(entries));
    same(decoded.entries, entries);
    assert.deepEqual([decoded.generation, decoded.intact], [0, true]);
    const damaged = legacyPack(entries);
    damaged[12] = (damaged[12] ?? 0) ^ 0x10;
    assert.throws(() => decodePack(damaged), /index checksum mismatch/);
  });

  it('refuses names that are not object names', () => {
    assert.throws(() => encodePack(new Map([['../raw', new Uint8Array(1)]]), 1), RangeError);
  });
});
