import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  packXorBlocks,
  planXorBlocks,
  unpackXorBlocks,
} from '../../../src/carbonara/codec/xor-blocks.ts';

function bitsOf(values: number[]): Uint32Array {
  return new Uint32Array(Float64Array.from(values).buffer);
}

describe('planXorBlocks', () => {
  it('spends no bits on repeated values', () => {
    const blocks = planXorBlocks(bitsOf([1.5, 1.5, 1.5]));
    assert.deepEqual(Array.from(blocks.widths), [0]);
    assert.equal(blocks.wordCount, 0);
  });

  it('drops the trailing zeros of float32 values', () => {
    const blocks = planXorBlocks(bitsOf([0.1, 0.2, 0.3, 0.7].map(Math.fround)));
    assert.ok((blocks.shifts[0] as number) >= 29);
    assert.ok((blocks.widths[0] as number) <= 64 - 29);
  });
});

describe('packXorBlocks and unpackXorBlocks', () => {
  it('round-trip any bit patterns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double(), { minLength: 1, maxLength: 300, size: 'max' }),
        (values) => {
          const bits = bitsOf(values);
          const blocks = planXorBlocks(bits);
          const words = new Uint32Array(blocks.wordCount);
          packXorBlocks(blocks, bits, words, 0);
          const out = new Uint32Array(bits.length);
          out.set(bits.subarray(0, 2));
          unpackXorBlocks(blocks, words, 0, out);
          assert.deepEqual(Array.from(out), Array.from(bits));
        },
      ),
      { numRuns: 300 },
    );
  });
});
