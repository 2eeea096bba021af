import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { packedWordCount } from '../../../src/carbonara/codec/bit-packing.ts';
import {
  packIntBlocks,
  planIntBlocks,
  regularIntBlocks,
  regularStep,
  unpackIntBlocks,
} from '../../../src/carbonara/codec/int-blocks.ts';

const DELTA = 0x80;

function plan(xs: number[], prior = 0) {
  return planIntBlocks(Float64Array.from(xs), 0, xs.length, prior);
}

describe('planIntBlocks', () => {
  it('codes an arithmetic progression as zero-bit deltas', () => {
    const blocks = plan(
      Array.from({ length: 300 }, (_, i) => 5 + 3 * i),
      2,
    );
    assert.deepEqual(Array.from(blocks.flags), [DELTA, DELTA, DELTA]);
    assert.deepEqual(Array.from(blocks.references), [3, 3, 3]);
    assert.equal(blocks.wordCount, 0);
    assert.equal(regularStep(blocks), 3);
  });

  it('codes zeros and ones plainly in one bit', () => {
    const blocks = plan([0, 1, 1, 0, 1, 0, 0, 1]);
    assert.deepEqual(Array.from(blocks.flags), [1]);
    assert.deepEqual(Array.from(blocks.references), [0]);
    assert.equal(blocks.wordCount, packedWordCount(8, 1));
  });

  it('codes a ±1 walk as deltas in two bits', () => {
    const blocks = plan([100, 101, 102, 103, 104, 105, 104, 104], 100);
    assert.deepEqual(Array.from(blocks.flags), [DELTA | 2]);
    assert.deepEqual(Array.from(blocks.references), [-1]);
  });

  it('tells regular plans from others', () => {
    assert.equal(regularStep(regularIntBlocks(1000, 1)), 1);
    assert.ok(Number.isNaN(regularStep(plan([1, 2, 4]))));
    assert.ok(Number.isNaN(regularStep(plan([]))));
  });
});

describe('packIntBlocks and unpackIntBlocks', () => {
  it('round-trip runs of integers of up to 53 bits', () => {
    const integer = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
    );
    fc.assert(
      fc.property(fc.array(integer, { maxLength: 400, size: 'max' }), integer, (xs, prior) => {
        const values = Float64Array.from(xs);
        const blocks = planIntBlocks(values, 0, xs.length, prior);
        const words = new Uint32Array(blocks.wordCount);
        packIntBlocks(blocks, values, 0, prior, words, 0);
        const out = new Float64Array(xs.length);
        unpackIntBlocks(blocks, words, 0, {
          out,
          start: 0,
          prior,
          scale: 1,
          offset: 0,
          divisor: 1,
        });
        assert.deepEqual(Array.from(out), xs);
      }),
      { numRuns: 300 },
    );
  });
});
