import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rangeQuery, shortDuration, utcTime } from '../../src/console/time.ts';

describe('rangeQuery', () => {
  const now = new Date('2026-12-06T12:00:00Z');

  it('starts a preset the given seconds before now and leaves stop open', () => {
    assert.deepEqual(rangeQuery({ kind: 'preset', seconds: 3600 }, now), {
      start: '2026-12-06T11:00:00.000Z',
    });
  });

  it('sends custom bounds as UTC', () => {
    const start = new Date('2026-12-01T00:00:00Z');
    const stop = new Date('2026-12-02T00:00:00Z');
    assert.deepEqual(rangeQuery({ kind: 'custom', start, stop }, now), {
      start: '2026-12-01T00:00:00.000Z',
      stop: '2026-12-02T00:00:00.000Z',
    });
    assert.deepEqual(rangeQuery({ kind: 'custom', start, stop: undefined }, now), {
      start: '2026-12-01T00:00:00.000Z',
    });
  });
});

describe('shortDuration', () => {
  it('writes the largest whole unit', () => {
    assert.deepEqual([86_400 * 7, 3_600, 300, 90, 1].map(shortDuration), [
      '7d',
      '1h',
      '5min',
      '90s',
      '1s',
    ]);
  });
});

describe('utcTime', () => {
  it('writes ISO 8601 UTC to the second', () => {
    assert.equal(utcTime(new Date('2026-12-06T12:00:01Z')), '2026-12-06T12:00:01Z UTC');
  });
});
