import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseStatsdMessage } from '../../../src/grammar/statsd-message.ts';
import { StatsdBuckets } from '../../../src/api/feeders/statsd-buckets.ts';
import type { SeriesByName } from '../../../src/api/services/resource-upsert.ts';

function plain(series: SeriesByName): Record<string, [number[], number[]]> {
  return Object.fromEntries(
    [...series].map(([name, { timestamps, values }]) => [name, [[...timestamps], [...values]]]),
  );
}

function fed(messages: readonly string[], at = 100, maxSamples = 1000): StatsdBuckets {
  const buckets = new StatsdBuckets({ maxSamples });
  for (const message of messages) buckets.add(parseStatsdMessage(message), at);
  return buckets;
}

describe('StatsdBuckets', () => {
  it('sums counters scaled by their sample rate, once per flush, then starts again', () => {
    const buckets = fed(['hits:3|c', 'hits:2|c|@0.5', 'hits:-1|c']);
    assert.deepEqual(plain(buckets.drain(500)), { 'hits|c': [[500], [6]] });
    assert.deepEqual(plain(buckets.drain(600)), {});
    buckets.add(parseStatsdMessage('hits:1|c'), 700);
    assert.deepEqual(plain(buckets.drain(800)), { 'hits|c': [[800], [1]] });
  });

  it('keeps a gauge across flushes so that changes apply to it, and writes it when touched', () => {
    const buckets = fed(['t:20|g', 't:+5|g', 'u:-3|g']);
    assert.deepEqual(plain(buckets.drain(500)), { 't|g': [[500], [25]], 'u|g': [[500], [-3]] });
    assert.deepEqual(plain(buckets.drain(600)), {});
    buckets.add(parseStatsdMessage('t:-10|g'), 650);
    assert.deepEqual(plain(buckets.drain(700)), { 't|g': [[700], [15]] });
    buckets.add(parseStatsdMessage('t:4|g'), 750);
    assert.deepEqual(plain(buckets.drain(800)), { 't|g': [[800], [4]] });
  });

  it('keeps every timer sample at its arrival, samples of one instant a microsecond apart', () => {
    const buckets = new StatsdBuckets({ maxSamples: 100 });
    buckets.add(parseStatsdMessage('lat:12|ms'), 100);
    buckets.add(parseStatsdMessage('lat:7|ms'), 100);
    buckets.add(parseStatsdMessage('lat:9|h'), 300);
    assert.deepEqual(plain(buckets.drain(500)), {
      'lat|ms': [
        [100, 101, 300],
        [12, 7, 9],
      ],
    });
  });

  it('counts the distinct members of a set per flush', () => {
    const buckets = fed(['u:a|s', 'u:b|s', 'u:a|s']);
    assert.deepEqual(plain(buckets.drain(500)), { 'u|s': [[500], [2]] });
    buckets.add(parseStatsdMessage('u:a|s'), 600);
    assert.deepEqual(plain(buckets.drain(700)), { 'u|s': [[700], [1]] });
  });

  it('drops and counts timer samples and set members beyond the bound, until the next flush', () => {
    const buckets = fed(['lat:1|ms', 'lat:2|ms', 'u:a|s', 'u:b|s', 'hits:1|c'], 100, 3);
    assert.equal(buckets.dropped, 1);
    assert.deepEqual(plain(buckets.drain(500)), {
      'hits|c': [[500], [1]],
      'lat|ms': [
        [100, 101],
        [1, 2],
      ],
      'u|s': [[500], [1]],
    });
    buckets.add(parseStatsdMessage('lat:3|ms'), 600);
    assert.equal(buckets.dropped, 1);
  });

  it('gives a failed flush back to the next one, ahead of what came since', () => {
    const buckets = fed(['hits:3|c', 'lat:5|ms']);
    const failed = buckets.drain(500);
    buckets.add(parseStatsdMessage('hits:1|c'), 550);
    buckets.restore(failed);
    assert.deepEqual(plain(buckets.drain(600)), {
      'hits|c': [
        [500, 600],
        [3, 1],
      ],
      'lat|ms': [[100], [5]],
    });
  });
});
