/** The limiter: never more tasks in flight than its limit, a failed task frees its slot. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Limiter } from '../../src/async/limiter.ts';

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, each to its own result', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limiter.run(async () => {
          running++;
          most = Math.max(most, running);
          await sleep(i % 4);
          running--;
          return i * 2;
        }),
      ),
    );
    assert.equal(most, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 12 }, (_, i) => i * 2),
    );
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = new Limiter(1);
    await assert.rejects(
      limiter.run(() => Promise.reject(new Error('no'))),
      /no/,
    );
    assert.equal(await limiter.run(() => Promise.resolve('next')), 'next');
  });
});
