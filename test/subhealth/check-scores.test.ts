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
    // NOTE: a's load share is floored at 1/3, so its excess is 0.6 / (1/3).
    assert.ok(Math.abs(a.excess - 1.8) < 1e-12);
    assert.ok(Math.abs(b.loadShare - 0.6) < 1e-12);
    assert.ok(Math.abs(b.excess - 0.5) < 1e-12);
    assert.ok(Math.abs(c.loadShare - 0.3) < 1e-12);
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
