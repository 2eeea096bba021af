import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { credentialHeaders } from '../../src/console/session.ts';

const decode = (header: string | undefined): string =>
  Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');

describe('credentialHeaders', () => {
  it('sends the user name as Basic in basic mode, UTF-8 encoded', () => {
    const headers = credentialHeaders('basic', { user: 'zoë' });
    assert.equal(decode(headers.Authorization), 'zoë:');
  });

  it('sends a password, or else a token as Bearer, in verified mode', () => {
    assert.equal(
      decode(credentialHeaders('verified', { user: 'ann', password: 'p:w' }).Authorization),
      'ann:p:w',
    );
    assert.deepEqual(credentialHeaders('verified', { user: 'ann', token: ' orzo_abc ' }), {
      Authorization: 'Bearer orzo_abc',
    });
  });

  it('sends a Keystone token as X-Auth-Token', () => {
    assert.deepEqual(credentialHeaders('keystone', { token: 'gAAAA' }), {
      'X-Auth-Token': 'gAAAA',
    });
  });

  it("sends noauth's headers, roles only when given", () => {
    assert.deepEqual(credentialHeaders('noauth', { user: 'u', project: 'p', roles: '' }), {
      'X-User-Id': 'u',
      'X-Project-Id': 'p',
    });
    assert.equal(
      credentialHeaders('noauth', { user: 'u', project: 'p', roles: 'admin' })['X-Roles'],
      'admin',
    );
  });

  it('sends nothing behind a remote-user proxy', () => {
    assert.deepEqual(credentialHeaders('remoteuser', { user: 'x' }), {});
  });
});
