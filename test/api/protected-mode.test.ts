import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertProtectedListen, isLoopbackHost } from '../../src/api/protected-mode.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

describe('protected mode', () => {
  it('knows the loopback addresses', () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.2',
      'localhost',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it('refuses the trusting modes on an address others can reach, and says why', () => {
    for (const auth of ['basic', 'noauth']) {
      for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
        assert.throws(
          () => {
            assertProtectedListen({ host, auth, protectedMode: true });
          },
          (error: unknown) =>
            error instanceof ConfigError &&
            error.path === 'api.protectedMode' &&
            error.message.startsWith(`refusing to listen on ${host} with --auth ${auth}`) &&
            error.message.includes('--protected-mode false'),
        );
      }
    }
  });

  it('lets loopback, remoteuser, verified and an explicit opt-out through', () => {
    assertProtectedListen({ host: '0.0.0.0', auth: 'verified', protectedMode: true });
    assertProtectedListen({ host: '127.0.0.1', auth: 'basic', protectedMode: true });
    assertProtectedListen({ host: '0.0.0.0', auth: 'remoteuser', protectedMode: true });
    assertProtectedListen({ host: '0.0.0.0', auth: 'noauth', protectedMode: false });
  });
});
