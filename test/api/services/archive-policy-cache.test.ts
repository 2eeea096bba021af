import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ARCHIVE_POLICY_CACHE_TTL_MS,
  ArchivePolicyCache,
  type CachedArchivePolicies,
} from '../../../src/api/services/archive-policy-cache.ts';
import type { ArchivePolicy } from '../../../src/archive-policy/index.ts';
import { ArchivePolicyNotFoundError } from '../../../src/indexer/index.ts';

const S = 1_000_000;

function policy(name: string, points: number): ArchivePolicy {
  return Object.freeze({
    name,
    backWindow: 0,
    definition: [{ granularity: 60 * S, points, timespan: points * 60 * S }],
    aggregationMethods: ['mean'],
  });
}

/** An indexer holding policies by name that counts its reads, and a clock to move by hand. */
function setUp(stored: Map<string, ArchivePolicy>) {
  const clock = { now: 0 };
  const reads: string[] = [];
  const indexer: CachedArchivePolicies = {
    getArchivePolicy: (name) => {
      reads.push(name);
      if (name === 'broken') return Promise.reject(new Error('indexer down'));
      return Promise.resolve(stored.get(name));
    },
    updateArchivePolicy: (name, change) => {
      const current = stored.get(name);
      if (current === undefined) return Promise.reject(new ArchivePolicyNotFoundError(name));
      const updated = change(current);
      stored.set(name, updated);
      return Promise.resolve(updated);
    },
    deleteArchivePolicy: (name) => {
      stored.delete(name);
      return Promise.resolve();
    },
  };
  const cache = new ArchivePolicyCache(indexer, { now: () => clock.now });
  return { cache, clock, reads };
}

describe('ArchivePolicyCache', () => {
  it('shares one read between concurrent callers and reads again once the entry expires', async () => {
    const stored = new Map([['p', policy('p', 10)]]);
    const { cache, clock, reads } = setUp(stored);
    const [first, second] = await Promise.all([
      cache.getArchivePolicy('p'),
      cache.getArchivePolicy('p'),
    ]);
    assert.equal(first, second);
    stored.set('p', policy('p', 20));
    clock.now += ARCHIVE_POLICY_CACHE_TTL_MS - 1;
    assert.equal((await cache.getArchivePolicy('p'))?.definition[0]?.points, 10);
    clock.now += 1;
    assert.equal((await cache.getArchivePolicy('p'))?.definition[0]?.points, 20);
    assert.deepEqual(reads, ['p', 'p']);
  });

  it('keeps neither an unknown policy nor a failed read', async () => {
    const stored = new Map<string, ArchivePolicy>();
    const { cache, reads } = setUp(stored);
    assert.equal(await cache.getArchivePolicy('later'), undefined);
    stored.set('later', policy('later', 10));
    assert.equal((await cache.getArchivePolicy('later'))?.name, 'later');
    await assert.rejects(cache.getArchivePolicy('broken'), /indexer down/);
    await assert.rejects(cache.getArchivePolicy('broken'), /indexer down/);
    assert.deepEqual(reads, ['later', 'later', 'broken', 'broken']);
  });

  it('forgets a policy it updates or deletes, even when the change fails', async () => {
    const stored = new Map([['p', policy('p', 10)]]);
    const { cache, reads } = setUp(stored);
    await cache.getArchivePolicy('p');
    await cache.updateArchivePolicy('p', () => policy('p', 30));
    assert.equal((await cache.getArchivePolicy('p'))?.definition[0]?.points, 30);
    await assert.rejects(
      cache.updateArchivePolicy('p', () => {
        throw new RangeError('refused');
      }),
      RangeError,
    );
    await cache.getArchivePolicy('p');
    await cache.deleteArchivePolicy('p');
    assert.equal(await cache.getArchivePolicy('p'), undefined);
    assert.deepEqual(reads, ['p', 'p', 'p', 'p']);
  });

  it('drops an entry while its read is under way, so the read does not bring it back', async () => {
    let answer: ((found: ArchivePolicy) => void) | undefined;
    const reads: string[] = [];
    const cache = new ArchivePolicyCache({
      getArchivePolicy: (name) => {
        reads.push(name);
        return reads.length === 1
          ? new Promise((resolve) => (answer = resolve))
          : Promise.resolve(policy(name, 30));
      },
      updateArchivePolicy: (name) => Promise.resolve(policy(name, 30)),
      deleteArchivePolicy: () => Promise.resolve(),
    });
    const stale = cache.getArchivePolicy('p');
    await cache.updateArchivePolicy('p', (current) => current);
    answer?.(policy('p', 10));
    assert.equal((await stale)?.definition[0]?.points, 10);
    assert.equal((await cache.getArchivePolicy('p'))?.definition[0]?.points, 30);
    assert.deepEqual(reads, ['p', 'p']);
  });
});
