/** The per-client limit on failed authentications. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LoginThrottle } from '../../../src/api/auth/login-throttle.ts';

describe('LoginThrottle', () => {
  it('locks a client out after `limit` failures in the window, until the oldest leaves it', () => {
    let now = 1000;
    const throttle = new LoginThrottle({ limit: 3, windowMs: 60_000, clock: () => now });
    throttle.fail('a');
    now += 10_000;
    throttle.fail('a');
    assert.equal(throttle.lockedFor('a'), 0);
    throttle.fail('a');
    assert.equal(throttle.lockedFor('a'), 50_000);
    assert.equal(throttle.lockedFor('b'), 0, 'other clients are not affected');
    now += 50_000;
    assert.equal(throttle.lockedFor('a'), 0);
    throttle.fail('a');
    assert.ok(throttle.lockedFor('a') > 0, 'the two failures still in the window count');
  });

  it('forgets the clients that failed longest ago when it remembers too many', () => {
    const throttle = new LoginThrottle({ limit: 1, windowMs: 60_000, maxClients: 2 });
    throttle.fail('a');
    throttle.fail('b');
    throttle.fail('c');
    assert.equal(throttle.lockedFor('a'), 0);
    assert.ok(throttle.lockedFor('b') > 0);
    assert.ok(throttle.lockedFor('c') > 0);
  });
});
