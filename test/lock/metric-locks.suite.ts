/**
 * The conformance suite every lock service passes. A lock test calls
 * `runMetricLocksSuite(name, makeLocks)`; `makeLocks` returns a fresh, isolated service and a
 * cleanup. Two services from one fixture compete for the same locks, as two processes would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { MetricLocks } from '../../src/lock/metric-locks.ts';

/** Two services over one isolated backend, and how to throw it away. */
export interface LocksFixture {
  readonly locks: MetricLocks;
  /** Another service on the same backend, as another process would have. */
  readonly rival: MetricLocks;
  cleanup(): Promise<void>;
}

/** A random metric id whose lock is not shared with `metricId`'s. */
function idOutsideStripeOf(locks: MetricLocks, metricId: string): string {
  for (;;) {
    const id = randomUUID();
    if (locks.stripeOf === undefined || locks.stripeOf(id) !== locks.stripeOf(metricId)) return id;
  }
}

/** Runs the conformance suite against a lock service. */
export function runMetricLocksSuite(name: string, makeLocks: () => Promise<LocksFixture>): void {
  describe(`metric locks conformance: ${name}`, () => {
    let fixture: LocksFixture;
    beforeEach(async () => {
      fixture = await makeLocks();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('gives a metric to one holder at a time, and metrics independently', async () => {
      const { locks, rival } = fixture;
      const metric = randomUUID();
      // NOTE: metrics that share a lock (a stripe) are not independent between two services.
      const other = idOutsideStripeOf(locks, metric);
      const first = await locks.tryAcquire(metric);
      assert.ok(first);
      assert.equal(first.metricId, metric);
      assert.equal(await locks.tryAcquire(metric), undefined);
      assert.equal(await rival.tryAcquire(metric), undefined);
      const second = await rival.tryAcquire(other);
      assert.ok(second);
      await first.release();
      await second.release();
    });

    it('gives a released lock to the next holder', async () => {
      const metric = randomUUID();
      const first = await fixture.locks.tryAcquire(metric);
      assert.ok(first);
      await first.release();
      const again = await fixture.rival.tryAcquire(metric);
      assert.ok(again);
      await again.release();
    });

    it('waits for a lock up to the timeout', async () => {
      const metric = randomUUID();
      const held = await fixture.locks.tryAcquire(metric);
      assert.ok(held);
      assert.equal(await fixture.rival.acquire(metric, 100), undefined);
      setTimeout(() => void held.release(), 100);
      const waited = await fixture.rival.acquire(metric, 5_000);
      assert.ok(waited);
      await waited.release();
    });

    it('releases harmlessly twice, never freeing the next holder', async () => {
      const metric = randomUUID();
      const first = await fixture.locks.tryAcquire(metric);
      assert.ok(first);
      await first.release();
      const next = await fixture.rival.tryAcquire(metric);
      assert.ok(next);
      await first.release();
      assert.equal(await fixture.locks.tryAcquire(metric), undefined);
      await next.release();
    });

    it('is not lost while held', async () => {
      const held = await fixture.locks.tryAcquire(randomUUID());
      assert.ok(held);
      assert.equal(held.lost, false);
      await held.release();
      assert.equal(held.lost, false);
    });
  });
}
