import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { blockSizeFor } from '../../../src/metricd/index.ts';

describe('blockSizeFor', () => {
  const limits = { min: 2, max: 100 };
  const cases: [pending: number, workers: number, size: number][] = [
    [0, 4, 2],
    [1, 4, 2],
    [9, 4, 3],
    [400, 4, 100],
    [401, 4, 100],
    [250, 3, 84],
    [7, 1, 7],
  ];
  for (const [pending, workers, size] of cases) {
    it(`gives ${size} for ${pending} pending metrics and ${workers} workers`, () => {
      assert.equal(blockSizeFor(pending, workers, limits), size);
    });
  }
});
