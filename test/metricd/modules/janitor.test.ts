import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Janitor } from '../../../src/metricd/modules/janitor.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('Janitor', () => {
  it('counts the metrics each run expunged, in batches', async () => {
    const limits: number[] = [];
    const runs = [3, 0, 2];
    const janitor = new Janitor(
      {
        expungeMetrics: (limit) => {
          limits.push(limit);
          return Promise.resolve(runs.shift() ?? 0);
        },
      },
      silent,
    );
    assert.equal(await janitor.runOnce(), 3);
    assert.equal(await janitor.runOnce(), 0);
    assert.equal(await janitor.runOnce(), 2);
    assert.equal(janitor.expunged, 5);
    assert.deepEqual(limits, [1000, 1000, 1000]);
  });

  it('logs a failed run and keeps going', async () => {
    const logged: string[] = [];
    let fail = true;
    const janitor = new Janitor(
      {
        expungeMetrics: () => {
          if (fail) return Promise.reject(new Error('indexer down'));
          return Promise.resolve(1);
        },
      },
      { ...silent, error: (_fields: object, message: string) => void logged.push(message) },
    );
    assert.equal(await janitor.runOnce(), 0);
    fail = false;
    assert.equal(await janitor.runOnce(), 1);
    assert.equal(janitor.expunged, 1);
    assert.deepEqual(logged, ['janitor run failed']);
  });
});
