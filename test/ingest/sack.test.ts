import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { allSacks, sackNumberOfMetric, sackName } from '../../src/ingest/sack.ts';

describe('sackNumberOfMetric', () => {
  // Expected sacks from Python: uuid.UUID(id).int % n.
  const rows: [id: string, sacks: number[]][] = [
    ['edd43480-fc99-4884-8de3-a527c1ce72f5', [0, 1, 6, 117, 173, 53058]],
    ['00000000-0000-0000-0000-000000000000', [0, 0, 0, 0, 0, 0]],
    ['ffffffff-ffff-ffff-ffff-ffffffffffff', [0, 1, 3, 127, 455, 0]],
    ['5a301761-aaaa-46e2-8900-8b4f6fe6675a', [0, 0, 2, 90, 978, 20143]],
  ];
  const totals = [1, 2, 7, 128, 1000, 65535];
  for (const [id, expected] of rows) {
    it(`matches Gnocchi for ${id}`, () => {
      assert.deepEqual(
        totals.map((total) => sackNumberOfMetric(id, total)),
        expected,
      );
    });
  }

  it('is the UUID as a 128-bit integer modulo the sack count', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 65535 }), (id, total) => {
        const expected = Number(BigInt(`0x${id.replaceAll('-', '')}`) % BigInt(total));
        assert.equal(sackNumberOfMetric(id, total), expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses sack counts Gnocchi refuses and ids that are not UUIDs', () => {
    for (const total of [0, 65536, 1.5, NaN]) {
      assert.throws(
        () => sackNumberOfMetric('00000000-0000-0000-0000-000000000000', total),
        RangeError,
      );
    }
    assert.throws(() => sackNumberOfMetric('nope', 128), RangeError);
  });
});

describe('sackName', () => {
  it("is Gnocchi's incoming{N}-{i}", () => {
    assert.equal(sackName({ number: 17, total: 128 }), 'incoming128-17');
    assert.deepEqual(allSacks(2), [
      { number: 0, total: 2 },
      { number: 1, total: 2 },
    ]);
  });
});
