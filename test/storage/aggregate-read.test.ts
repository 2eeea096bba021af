import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { seriesOf } from '../../src/carbonara/index.ts';
import { bundlesInRange, readAggregate, splitKeyRange } from '../../src/storage/aggregate-read.ts';
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
