import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { xxHash32 } from '../../../src/carbonara/codec/xxhash32.ts';

describe('xxHash32', () => {
  // NOTE: reference values of XXH32 with seed 0; the last one covers stripes and both tails.
  const vectors: [string, number][] = [
    ['', 0x02cc5d05],
    ['a', 0x550d7456],
    ['abc', 0x32d153ff],
    ['Nobody inspects the spammish repetition', 0xe2293b2f],
  ];
  for (const [text, hash] of vectors) {
    it(`hashes ${JSON.stringify(text)} as the reference does`, () => {
      assert.equal(xxHash32(new TextEncoder().encode(text)), hash);
    });
  }

  it('hashes the same bytes alike at any alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat({ max: 7 }), (bytes, offset) => {
        const shifted = new Uint8Array(bytes.length + offset);
        shifted.set(bytes, offset);
        assert.equal(xxHash32(shifted.subarray(offset)), xxHash32(bytes));
      }),
    );
  });

  it('changes whenever one byte changes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, at, mask) => {
          const changed = Uint8Array.from(bytes);
          const index = at % bytes.length;
          changed[index] = (changed[index] as number) ^ mask;
          assert.notEqual(xxHash32(changed), xxHash32(bytes));
        },
      ),
    );
  });
});
