import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { summarizeBacklog, toGnocchiStorageStatus } from '../../src/ingest/backlog.ts';

const A = 'edd43480-fc99-4884-8de3-a527c1ce72f5';
const B = '5a301761-aaaa-46e2-8900-8b4f6fe6675a';

describe('backlog', () => {
  const perSack = new Map([
    [5, { metrics: 1, batches: 3, measures: 30 }],
    [2, { metrics: 1, batches: 1, measures: 7 }],
    [9, { metrics: 0, batches: 0, measures: 0 }],
  ]);
  const details = new Map([
    [A, { batches: 3, measures: 30 }],
    [B, { batches: 1, measures: 7 }],
  ]);

  it('totals non-empty sacks in sack order', () => {
    const backlog = summarizeBacklog(perSack);
    assert.deepEqual(backlog, {
      metrics: 2,
      batches: 4,
      measures: 37,
      sacks: [
        { sack: 2, metrics: 1, batches: 1, measures: 7 },
        { sack: 5, metrics: 1, batches: 3, measures: 30 },
      ],
    });
  });

  it("gives Gnocchi's status shape, where measures count batches", () => {
    assert.deepEqual(toGnocchiStorageStatus(summarizeBacklog(perSack)), {
      summary: { metrics: 2, measures: 4 },
    });
    assert.deepEqual(toGnocchiStorageStatus(summarizeBacklog(perSack, details)), {
      summary: { metrics: 2, measures: 4 },
      measures_to_process: { [A]: 3, [B]: 1 },
    });
  });
});
