import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  bitWidth,
  packBits,
  packedWordCount,
  packRun,
  TWO_POW_32,
  unpackBits,
  unpackRun,
} from '../../../src/carbonara/codec/bit-packing.ts';

describe('bitWidth', () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 1],
    [2, 2],
    [255, 8],
    [2 ** 31, 32],
    [TWO_POW_32 - 1, 32],
    [TWO_POW_32, 33],
    [2 ** 52, 53],
    [Number.MAX_SAFE_INTEGER, 53],
  ];
  for (const [x, width] of cases) {
    it(`needs ${width} bits for ${x}`, () => {
      assert.equal(bitWidth(x), width);
    });
  }
});

describe('packedWordCount', () => {
  const cases: [number, number, number][] = [
    [128, 0, 0],
    [128, 1, 4],
    [3, 1, 1],
    [33, 1, 2],
    [128, 32, 128],
    [3, 33, 4],
    [128, 64, 256],
    [1, 64, 2],
  ];
  for (const [count, width, words] of cases) {
    it(`takes ${words} words for ${count} values of ${width} bits`, () => {
      assert.equal(packedWordCount(count, width), words);
    });
  }
});

describe('packRun and unpackRun', () => {
  it('lays out bits least significant first, straddling words', () => {
    const words = new Uint32Array(packedWordCount(3, 20));
    packBits(Uint32Array.from([0xfffff, 0x12345, 0x00001]), 3, 20, words, 0);
    assert.deepEqual(Array.from(words), [0x345fffff, 0x00000012 | (0x00001 << 8)]);
  });

  it('round-trips every width, touching no word beyond its run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 128, size: 'max' }),
        fc.nat({ max: 3 }),
        (width, pairs, at) => {
          const count = pairs.length;
          const lowMask = width >= 32 ? 0xffffffff : 2 ** width - 1;
          const highMask = width <= 32 ? 0 : 2 ** (width - 32) - 1;
          const low = Uint32Array.from(pairs, ([l]) => l & lowMask);
          const high = Uint32Array.from(pairs, ([, h]) => h & highMask);
          const words = new Uint32Array(at + packedWordCount(count, width) + 1);
          packRun({ low, high, count }, width, words, at);
          assert.equal(words[words.length - 1], 0);
          const out = { low: new Uint32Array(count), high: new Uint32Array(count), count };
          unpackRun(words, at, out, width);
          assert.deepEqual(Array.from(out.low), Array.from(low));
          if (width > 32) assert.deepEqual(Array.from(out.high), Array.from(high));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('unpacks width 0 as zeros without reading', () => {
    const dst = Uint32Array.from([7, 7, 7]);
    unpackBits(new Uint32Array(0), 0, 3, 0, dst);
    assert.deepEqual(Array.from(dst), [0, 0, 0]);
  });
});
