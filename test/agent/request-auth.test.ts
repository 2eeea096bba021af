import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkRequest, MAX_SKEW_MS, signRequest } from '../../src/agent/request-auth.ts';

const SECRET = 'a-secret-of-16-chars';
const NOW = 1_767_225_600_000;

describe('request signatures', () => {
  const signed = signRequest(SECRET, { op: 'ack', id: 5, time: NOW, seq: 42 });

  it('accepts a signed request, once, from a clock close enough', () => {
    assert.deepEqual(checkRequest(SECRET, { ...signed }, 4, NOW + 1000), {
      request: { op: 'ack', id: 5, time: NOW, seq: 42 },
    });
    assert.deepEqual(checkRequest(SECRET, { ...signed }, 5, NOW), {
      refusal: 'request id not above the last one',
    });
    assert.deepEqual(checkRequest(SECRET, { ...signed }, 4, NOW + MAX_SKEW_MS + 1), {
      refusal: 'request time too far from now',
    });
  });

  it('refuses another secret, a changed field and a malformed request', () => {
    const refused = { refusal: 'authentication failed' };
    assert.deepEqual(checkRequest('another-secret-16ch', { ...signed }, 0, NOW), refused);
    assert.deepEqual(checkRequest(SECRET, { ...signed, seq: 43 }, 0, NOW), refused);
    assert.deepEqual(checkRequest(SECRET, { ...signed, mac: 'zz' }, 0, NOW), refused);
    assert.deepEqual(checkRequest(SECRET, { ...signed, op: 'shutdown' }, 0, NOW), {
      refusal: 'unknown op',
    });
    assert.deepEqual(checkRequest(SECRET, { op: 'dump' }, 0, NOW), {
      refusal: 'id, time and mac are required',
    });
    assert.deepEqual(checkRequest(SECRET, { ...signed, max: 'all' }, 0, NOW), {
      refusal: 'seq, max and quantumSeconds must be numbers',
    });
  });
});
