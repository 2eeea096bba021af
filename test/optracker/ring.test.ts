import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Ring } from '../../src/optracker/ring.ts';

describe('Ring', () => {
  it('keeps the last capacity items, oldest first', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 7; i++) ring.push(i);
    assert.deepEqual(ring.toArray(), [5, 6, 7]);
    assert.equal(ring.length, 3);
    assert.equal(ring.peek(), 5);
  });

  it('drops the oldest on shift, and then takes new items after the newest', () => {
    const ring = new Ring<number>(3);
    for (const item of [1, 2, 3, 4]) ring.push(item);
    ring.shift();
    ring.shift();
    assert.deepEqual(ring.toArray(), [4]);
    ring.push(5);
    ring.push(6);
    ring.push(7);
    assert.deepEqual(ring.toArray(), [5, 6, 7]);
    ring.clear();
    assert.deepEqual(ring.toArray(), []);
    assert.equal(ring.peek(), undefined);
    ring.shift();
    assert.equal(ring.length, 0);
  });

  it('keeps nothing at capacity zero', () => {
    const ring = new Ring<number>(0);
    ring.push(1);
    assert.deepEqual(ring.toArray(), []);
    assert.equal(ring.peek(), undefined);
  });
});
