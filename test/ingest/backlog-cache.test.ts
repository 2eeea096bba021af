import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { BacklogCache } from '../../src/ingest/backlog-cache.ts';
import { FileIncomingDriver, Incoming, type Backlog } from '../../src/ingest/index.ts';

const ONE = { timestamps: Float64Array.of(1e15), values: Float64Array.of(1) };

function backlogOf(metrics: number): Backlog {
  return { metrics, batches: metrics, measures: metrics, sacks: [] };
}

/** Counts whose cost and result the test sets, on a clock it moves. */
class ScriptedCounts {
  clock = 0;
  counts = 0;
  readonly pending: { resolve: (backlog: Backlog) => void; cost: number }[] = [];

  count = (): Promise<Backlog> => {
    this.counts++;
    return new Promise((resolve) => this.pending.push({ resolve, cost: 0 }));
  };

  /** Lets the oldest count finish after `costMs`, with `metrics` waiting. */
  finish(costMs: number, metrics: number): Promise<void> {
    const count = this.pending.shift();
    assert.ok(count, 'no count is running');
    this.clock += costMs;
    count.resolve(backlogOf(metrics));
    return new Promise((resolve) => setImmediate(resolve));
  }
}

describe('BacklogCache', () => {
  it('counts afresh for every read while the backlog is small, and sees every write made before it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'orzo-backlog-cache-'));
    const driver = new FileIncomingDriver({ basePath: base, fsync: false });
    const incoming = new Incoming(driver);
    try {
      await incoming.upgrade(8);
      const cache = new BacklogCache(() => incoming.backlog({ details: true }));
      for (let written = 1; written <= 5; written++) {
        await incoming.enqueueBatches(new Map([[crypto.randomUUID(), ONE]]));
        const { backlog, ageMs } = await cache.read();
        assert.equal(backlog.metrics, written);
        assert.equal(backlog.details?.size, written);
        assert.equal(ageMs, 0);
      }
    } finally {
      await driver.close();
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('answers with the newest count once the backlog is large, and counts again in the background', async () => {
    const script = new ScriptedCounts();
    const cache = new BacklogCache(script.count, { now: () => script.clock });
    const first = cache.read();
    await script.finish(1_000, 50_000);
    assert.deepEqual(await first, { backlog: backlogOf(50_000), ageMs: 0 });

    // NOTE: the count is 1 s old and took 1 s: not yet due again.
    const reused = await cache.read();
    assert.equal(reused.backlog.metrics, 50_000);
    assert.equal(reused.ageMs, 1_000);
    assert.equal(script.counts, 1);

    script.clock += 500;
    const stale = await cache.read();
    assert.equal(stale.ageMs, 1_500);
    assert.equal(script.counts, 2, 'a count older than its cost starts the next one');
    await cache.read();
    assert.equal(script.counts, 2, 'one count at a time');

    await script.finish(1_200, 40_000);
    const next = await cache.read();
    assert.equal(next.backlog.metrics, 40_000);
    assert.equal(next.ageMs, 1_200);
  });

  it('waits for a new count when the newest is older than the limit', async () => {
    const script = new ScriptedCounts();
    const cache = new BacklogCache(script.count, { now: () => script.clock, maxAgeMs: 10_000 });
    const first = cache.read();
    await script.finish(2_000, 50_000);
    await first;

    script.clock += 20_000;
    let answered = false;
    const waiting = cache.read().then((count) => {
      answered = true;
      return count;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false);
    await script.finish(2_000, 7);
    assert.equal((await waiting).backlog.metrics, 7);
  });

  it('counts afresh for a small backlog however long a count took', async () => {
    const script = new ScriptedCounts();
    const cache = new BacklogCache(script.count, { now: () => script.clock });
    const first = cache.read();
    await script.finish(5_000, 0);
    await first;
    const second = cache.read();
    assert.equal(script.counts, 2, 'a slow count of an empty backlog is not reused');
    await script.finish(10, 3);
    assert.deepEqual(await second, { backlog: backlogOf(3), ageMs: 0 });
  });

  it('goes back to counting afresh once the backlog is small again', async () => {
    const script = new ScriptedCounts();
    const cache = new BacklogCache(script.count, { now: () => script.clock });
    const first = cache.read();
    await script.finish(1_000, 50_000);
    await first;
    script.clock += 2_000;
    await cache.read();
    await script.finish(10, 3);

    const fresh = cache.read();
    assert.equal(script.counts, 3);
    await script.finish(1, 2);
    assert.deepEqual(await fresh, { backlog: backlogOf(2), ageMs: 0 });
  });

  it('keeps the previous count when a background count fails', async () => {
    let fail = false;
    let clock = 0;
    const cache = new BacklogCache(
      () => {
        clock += 1_000;
        return fail
          ? Promise.reject(new Error('listing failed'))
          : Promise.resolve(backlogOf(9_000));
      },
      { now: () => clock },
    );
    await cache.read();
    fail = true;
    clock += 5_000;
    assert.equal((await cache.read()).backlog.metrics, 9_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await cache.read()).backlog.metrics, 9_000);
  });
});
