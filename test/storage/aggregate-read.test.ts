import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import type { ArchivePolicyItem } from '../../src/archive-policy/index.ts';
import { POINTS_PER_SPLIT, seriesOf, splitKeyFor } from '../../src/carbonara/index.ts';
import {
  bundlesInRange,
  bundlesToRead,
  MAX_NAMED_SPLITS,
  readAggregate,
  splitKeyRange,
} from '../../src/storage/aggregate-read.ts';
import { bundleObjectName, parseBundleObjectName } from '../../src/storage/object-name.ts';
import { retentionCutoff } from '../../src/storage/retention-cutoff.ts';
import { toPoints } from '../carbonara/reference.ts';
import { HOUR, MINUTE, S, T0, testPolicy } from './support/storage-fixtures.ts';

const [SECONDS, MINUTES] = testPolicy([
  [S, 120],
  [MINUTE, null],
]).definition;

describe('splitKeyRange', () => {
  it('spans the splits from the start to the exclusive stop', () => {
    assert.deepEqual(splitKeyRange(SECONDS!, { method: 'mean' }), { from: 0, to: Infinity });
    assert.deepEqual(
      splitKeyRange(SECONDS!, { method: 'mean', start: T0 + 90 * MINUTE, stop: T0 + 3 * HOUR }),
      { from: T0 + HOUR, to: T0 + 2 * HOUR },
    );
  });

  it('widens to the whole first and last resampled buckets', () => {
    const range = splitKeyRange(SECONDS!, {
      method: 'mean',
      start: T0 + 90 * MINUTE,
      stop: T0 + 3 * HOUR + S,
      resample: 2 * HOUR,
    });
    assert.deepEqual(range, { from: T0, to: T0 + 3 * HOUR });
    const march = Date.UTC(2015, 2, 1) * 1000;
    const months = splitKeyRange(MINUTES!, { method: 'mean', start: T0, resample: 'M' });
    assert.equal(months.from, march - (march % (3600 * MINUTE)));
  });

  it('picks the listed bundles of one granularity in range, oldest first', () => {
    const names = [
      `agg_1000000_${T0 + 2 * HOUR}`,
      'raw',
      `agg_60000000_${T0}`,
      `agg_1000000_${T0 + HOUR}`,
      `agg_1000000_${T0}`,
    ];
    const query = { method: 'mean', start: T0 + 90 * MINUTE };
    assert.deepEqual(bundlesInRange(names, SECONDS!, query), [
      `agg_1000000_${T0 + HOUR}`,
      `agg_1000000_${T0 + 2 * HOUR}`,
    ]);
  });
});

describe('readAggregate', () => {
  const stored = seriesOf([T0, T0 + 100 * S, T0 + 150 * S, T0 + 200 * S], [1, 2, 3, 4]);

  it('truncates relative to the newest raw point, else to the newest stored point', () => {
    const options = { method: 'mean' };
    assert.deepEqual(toPoints(readAggregate(SECONDS!, stored, options, T0 + 300 * S)).length, 1);
    assert.deepEqual(toPoints(readAggregate(SECONDS!, stored, options, undefined)).length, 3);
  });

  it('resamples, then floors the start to the sampling and stops before stop', () => {
    const options = {
      method: 'sum',
      resample: 2 * MINUTE,
      start: T0 + 130 * S,
      stop: T0 + 240 * S,
    };
    assert.deepEqual(toPoints(readAggregate(MINUTES!, stored, options, undefined)), [
      { ts: T0 + 2 * MINUTE, value: 7 },
    ]);
    const calendar = { method: 'sum', resample: 'M' as const, start: T0 + 130 * S };
    assert.deepEqual(toPoints(readAggregate(MINUTES!, stored, calendar, undefined)), [
      { ts: Date.UTC(2015, 2, 1) * 1000, value: 10 },
    ]);
  });
});

describe('bundlesToRead', () => {
  const name = (key: number) => bundleObjectName(S, key);
  const keyOf = (bundle: string) => parseBundleObjectName(bundle)!.key;

  it('names the splits from the retention cutoff to the newest raw point', () => {
    const newest = T0 + 2 * HOUR + 30 * S;
    assert.deepEqual(bundlesToRead(SECONDS!, { method: 'mean' }, newest), [
      name(T0 + HOUR),
      name(T0 + 2 * HOUR),
    ]);
    assert.deepEqual(bundlesToRead(SECONDS!, { method: 'mean' }, T0 + 2 * HOUR + 2 * MINUTE), [
      name(T0 + 2 * HOUR),
    ]);
  });

  it('narrows to the range, and names nothing for a range past retention or the newest point', () => {
    const newest = T0 + 2 * HOUR + 30 * S;
    const narrowed = { method: 'mean', start: T0 + 2 * HOUR, stop: T0 + 3 * HOUR };
    assert.deepEqual(bundlesToRead(SECONDS!, narrowed, newest), [name(T0 + 2 * HOUR)]);
    assert.deepEqual(bundlesToRead(SECONDS!, { method: 'mean', stop: T0 }, newest), []);
    assert.deepEqual(bundlesToRead(SECONDS!, { method: 'mean', start: T0 + 5 * HOUR }, newest), []);
  });

  it('leaves the choice to a listing when retention and range allow too many splits', () => {
    const newest = T0 + 100 * HOUR;
    assert.equal(bundlesToRead(MINUTES!, { method: 'mean' }, newest), undefined);
    assert.deepEqual(bundlesToRead(MINUTES!, { method: 'mean', start: T0 }, newest), [
      bundleObjectName(MINUTE, splitKeyFor(T0, MINUTE)),
      bundleObjectName(MINUTE, splitKeyFor(T0, MINUTE) + 60 * HOUR),
    ]);
    const [longest] = testPolicy([[S, (MAX_NAMED_SPLITS - 1) * POINTS_PER_SPLIT]]).definition;
    const [tooLong] = testPolicy([[S, MAX_NAMED_SPLITS * POINTS_PER_SPLIT]]).definition;
    assert.equal(bundlesToRead(longest!, { method: 'mean' }, newest)?.length, MAX_NAMED_SPLITS);
    assert.equal(bundlesToRead(tooLong!, { method: 'mean' }, newest), undefined);
  });

  it('names every listed bundle in range that may hold a point retention keeps', () => {
    const item = fc
      .record({
        granularity: fc.constantFrom(S, 10 * S, MINUTE),
        points: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null }),
      })
      .map(({ granularity, points }): ArchivePolicyItem => ({
        granularity,
        points,
        timespan: points === null ? null : points * granularity,
      }));
    const instant = fc.integer({ min: 0, max: 400 * HOUR });
    const scenario = fc.record({
      item,
      newest: instant,
      start: fc.option(instant, { nil: undefined }),
      stop: fc.option(instant, { nil: undefined }),
      resample: fc.option(fc.constantFrom(7 * MINUTE, 'M' as const, 'W' as const), {
        nil: undefined,
      }),
      stored: fc.array(instant, { maxLength: 30 }),
    });
    let compared = 0;
    fc.assert(
      fc.property(scenario, ({ item, newest, start, stop, resample, stored }) => {
        const options = { method: 'mean', start, stop, resample };
        const span = item.granularity * POINTS_PER_SPLIT;
        const keys = stored.map((ts) => splitKeyFor(Math.min(ts, newest), item.granularity));
        const named = bundlesToRead(item, options, newest);
        if (named === undefined) return;
        const cutoff = retentionCutoff(item, newest) ?? -Infinity;
        const names = keys.map((key) => bundleObjectName(item.granularity, key));
        for (const bundle of bundlesInRange(names, item, options)) {
          const key = keyOf(bundle);
          // NOTE: a bundle whose every slot is at or before the cutoff holds nothing kept.
          if (key + span <= cutoff) continue;
          assert.ok(named.includes(bundle), `${bundle} missing`);
          compared += 1;
        }
        const range = splitKeyRange(item, options);
        const namedKeys = named.map(keyOf);
        assert.deepEqual(
          namedKeys,
          [...namedKeys].sort((a, b) => a - b),
        );
        assert.ok(namedKeys.every((key) => key >= range.from && key <= range.to));
      }),
      { numRuns: 500, seed: 7 },
    );
    assert.ok(compared > 200, `only ${compared} bundles compared`);
  });
});
