/** The scores of one check: wait and load shares, and the excess of waits over load. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { scoreCheck } from '../../src/subhealth/index.ts';

describe('scoreCheck', () => {
  it('shares waits and each load signal, and judges waits against load', () => {
    const { totalWaits, instances } = scoreCheck([
      { id: 'a', waits: 60, loads: { cpu: 10, io: 10 } },
      { id: 'b', waits: 30, loads: { cpu: 70, io: 50 } },
      { id: 'c', waits: 10, loads: { cpu: 20, io: 40 } },
    ]);
    assert.equal(totalWaits, 100);
    const [a, b, c] = instances;
    assert.ok(a && b && c);
    assert.equal(a.waitShare, 0.6);
    assert.deepEqual(a.loadShares, { cpu: 0.1, io: 0.1 });
    assert.ok(Math.abs(a.loadShare - 0.1) < 1e-12);
    assert.ok(Math.abs(a.excess - 6) < 1e-12);
    assert.ok(Math.abs(b.loadShare - 0.6) < 1e-12);
    assert.ok(Math.abs(b.excess - 0.5) < 1e-12);
    assert.ok(Math.abs(c.loadShare - 0.3) < 1e-12);
  });

  it('judges an instance that did almost nothing as if it did a quarter of an even share', () => {
    const { instances } = scoreCheck([
      { id: 'idle', waits: 2, loads: { cpu: 0 } },
      { id: 'b', waits: 9, loads: { cpu: 50 } },
      { id: 'c', waits: 9, loads: { cpu: 50 } },
    ]);
    const [idle] = instances;
    assert.ok(idle);
    assert.equal(idle.loadShare, 0);
    // NOTE: 0.1 of the waits over a floor of 1 / (4 × 3).
    assert.ok(Math.abs(idle.excess - 1.2) < 1e-12);
  });

  it('leaves out signals nobody did, and counts bad figures as nothing', () => {
    const { totalWaits, instances } = scoreCheck([
      { id: 'a', waits: Number.NaN, loads: { cpu: 5, net: 0 } },
      { id: 'b', waits: -3, loads: { cpu: 5, net: 0 } },
    ]);
    assert.equal(totalWaits, 0);
    const [first] = instances;
    assert.ok(first);
    assert.deepEqual(first.loadShares, { cpu: 0.5 });
    assert.equal(first.waitShare, 0);
    assert.equal(first.excess, 0);
  });
});
