import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BoundTimeSerie, seriesOf } from '../../src/carbonara/index.ts';
import {
  bundlesNewestFirst,
  coveredFrom,
  describeFloors,
  firstWholeBucket,
  floorsAfter,
  floorsStillNeeded,
  isQuarantineName,
  lowestFloor,
  quarantineName,
  withoutProtectedBuckets,
} from '../../src/storage/damage.ts';
import { isObjectName, parseBundleObjectName } from '../../src/storage/object-name.ts';
import type { SplitPlan } from '../../src/storage/split-plan.ts';

const S = 1_000_000;
const M = 60 * S;

describe('damaged objects', () => {
  it('keeps the bytes under a name taken from them, never a bundle name', () => {
    const name = quarantineName('agg_60000000_0', Uint8Array.of(1, 2, 3));
    assert.equal(name, quarantineName('agg_60000000_0', Uint8Array.of(1, 2, 3)));
    assert.notEqual(name, quarantineName('agg_60000000_0', Uint8Array.of(1, 2, 4)));
    assert.match(name, /^quarantine\.agg_60000000_0\.[0-9a-f]{8}$/);
    assert.ok(isObjectName(name) && isQuarantineName(name));
    assert.equal(parseBundleObjectName(name), undefined);
    assert.ok(!isQuarantineName('raw'));
  });

  it('protects each granularity up to the bucket after its newest stored one', () => {
    const floors = floorsAfter(
      new Map([
        [S, 61 * S],
        [M, M],
      ]),
    );
    assert.deepEqual(
      [...floors],
      [
        [S, 62 * S],
        [M, 2 * M],
      ],
    );
    assert.equal(lowestFloor(floors), 62 * S);
    assert.equal(lowestFloor(new Map()), undefined);
    assert.deepEqual([...floorsStillNeeded(floors, M)], [...floors]);
    assert.deepEqual([...floorsStillNeeded(floors, 62 * S)], [[M, 2 * M]]);
    assert.deepEqual([...floorsStillNeeded(floors, 2 * M)], []);
    assert.deepEqual([...floorsStillNeeded(floors, undefined)], [...floors]);
    assert.match(
      describeFloors(floors),
      /1s before 1970-01-01T00:01:02.000Z, 60s before 1970-01-01T00:02:00.000Z/,
    );
    assert.match(describeFloors(new Map()), /no stored aggregate was readable/);
  });

  it('leaves protected buckets out of the plans, and plans left empty', () => {
    const plan = (granularity: number, timestamps: number[]): SplitPlan => ({
      name: `agg_${granularity}_0`,
      granularity,
      key: 0,
      cutoff: undefined,
      methods: new Map([
        [
          'sum',
          seriesOf(
            timestamps,
            timestamps.map(() => 1),
          ),
        ],
      ]),
    });
    const plans = [plan(S, [S, 2 * S, 3 * S]), plan(M, [0])];
    assert.equal(withoutProtectedBuckets(plans, new Map()), plans);
    const kept = withoutProtectedBuckets(
      plans,
      new Map([
        [S, 2 * S],
        [M, M],
      ]),
    );
    assert.equal(kept.length, 1);
    assert.deepEqual([...(kept[0]?.methods.get('sum')?.timestamps ?? [])], [2 * S, 3 * S]);
  });

  it('finds the first bucket the buffer holds whole, and the newest bundles first', () => {
    assert.equal(firstWholeBucket(undefined, M), -Infinity);
    assert.equal(firstWholeBucket(M, M), M);
    assert.equal(firstWholeBucket(M + S, M), 2 * M);
    assert.deepEqual(
      bundlesNewestFirst(['raw', 'agg_1000000_0', 'agg_60000000_0', 'agg_1000000_3600000000'], S),
      ['agg_1000000_3600000000', 'agg_1000000_0'],
    );
  });

  it('knows from where the buffer holds every point', () => {
    const points = seriesOf([M + 5 * S, 2 * M + S], [1, 2]);
    const bound = new BoundTimeSerie(points, { blockSize: M, backWindow: 0 });
    const floors = new Map([[S, 90 * S]]);
    const raw = { series: points, floors: new Map<number, number>() };
    assert.equal(coveredFrom(false, undefined, bound, floors, points), undefined);
    // A damaged buffer: the repair's floors, else the first point after it.
    assert.equal(coveredFrom(true, undefined, bound, floors, points), 90 * S);
    assert.equal(coveredFrom(true, undefined, bound, new Map(), points), M + 5 * S);
    // A healthy one: its first kept block, not before the floors in force.
    assert.equal(coveredFrom(true, raw, bound, new Map(), points), 2 * M);
    assert.equal(coveredFrom(true, raw, bound, new Map([[S, 150 * S]]), points), 150 * S);
  });
});
