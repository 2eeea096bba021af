/** Block jobs: ids unique across reporter epochs, cutting metrics into blocks, checking payloads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  blockJobId,
  bullPrefix,
  isBlockJob,
  splitIntoBlocks,
} from '../../../src/metricd/cluster/block-job.ts';

describe('blockJobId', () => {
  it('names a block by the epoch of its reporter and its rank in that term', () => {
    assert.equal(blockJobId(1, 0), '1-0');
    assert.equal(blockJobId(17, 3), '17-3');
  });

  it('gives distinct ids to distinct blocks, across epochs', () => {
    const ids = new Set<string>();
    for (let epoch = 1; epoch <= 20; epoch++) {
      for (let n = 0; n < 20; n++) ids.add(blockJobId(epoch, n));
    }
    assert.equal(ids.size, 400);
    assert.notEqual(blockJobId(1, 11), blockJobId(11, 1));
  });
});

describe('splitIntoBlocks', () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const cases: { name: string; size: number; expect: string[][] }[] = [
    {
      name: 'cuts into full blocks and a last partial one',
      size: 3,
      expect: [['a', 'b', 'c'], ['d', 'e', 'f'], ['g']],
    },
    { name: 'keeps fewer metrics than a block in one block', size: 10, expect: [ids] },
    { name: 'cuts exactly when the size divides the count', size: 7, expect: [ids] },
    { name: 'takes one metric per block at size 1', size: 1, expect: ids.map((id) => [id]) },
    { name: 'treats a size below 1 as 1', size: 0, expect: ids.map((id) => [id]) },
  ];
  for (const { name, size, expect } of cases) {
    it(name, () => {
      assert.deepEqual(splitIntoBlocks(ids, size), expect);
    });
  }

  it('makes no block of no metrics', () => {
    assert.deepEqual(splitIntoBlocks([], 4), []);
  });

  it('makes ceil(count / size) blocks holding every metric once, in order', () => {
    const many = Array.from({ length: 103 }, (_, index) => `m${index}`);
    const blocks = splitIntoBlocks(many, 10);
    assert.equal(blocks.length, 11);
    assert.deepEqual(blocks.flat(), many);
  });
});

describe('bullPrefix', () => {
  it("puts BullMQ's keys under the coordination prefix", () => {
    assert.equal(bullPrefix('orzo:'), 'orzo:bull');
  });
});

describe('isBlockJob', () => {
  const cases: { name: string; value: unknown; expect: boolean }[] = [
    { name: 'a block', value: { metricIds: ['a', 'b'], epoch: 2 }, expect: true },
    { name: 'an empty block', value: { metricIds: [], epoch: 1 }, expect: true },
    { name: 'null', value: null, expect: false },
    { name: 'a string', value: '1-0', expect: false },
    { name: 'an array of ids', value: ['a', 'b'], expect: false },
    { name: 'no metric ids', value: { epoch: 1 }, expect: false },
    { name: 'metric ids not an array', value: { metricIds: 'a', epoch: 1 }, expect: false },
    { name: 'a metric id not a string', value: { metricIds: ['a', 2], epoch: 1 }, expect: false },
  ];
  for (const { name, value, expect } of cases) {
    it(`says ${expect ? 'yes' : 'no'} to ${name}`, () => {
      assert.equal(isBlockJob(value), expect);
    });
  }
});
