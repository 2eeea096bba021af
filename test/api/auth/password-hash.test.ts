/** Password hashes: scrypt with a salt per hash, parameters named in the hash. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  hashPassword,
  SCRYPT_PARAMETERS,
  verifyPassword,
} from '../../../src/api/auth/password-hash.ts';

const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verify the password hashed and no other', async () => {
    const hash = await hashPassword('correct horse', FAST);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horse ', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('salt each hash, so one password never hashes the same twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same', FAST), hashPassword('same', FAST)]);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('same', b), true);
  });

  it('name their parameters, the defaults memory-hard', async () => {
    const hash = await hashPassword('pw');
    const [kdf, n, r, p] = hash.split('$');
    assert.deepEqual([kdf, Number(n), Number(r), Number(p)], ['scrypt', 2 ** 15, 8, 1]);
    assert.ok(SCRYPT_PARAMETERS.N * SCRYPT_PARAMETERS.r * 128 >= 32 * 1024 * 1024);
  });

  it('treat one password in its two Unicode forms as the same', async () => {
    const hash = await hashPassword('caf\u00e9', FAST);
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
  });

  it('never verify against a malformed hash', async () => {
    for (const hash of ['', 'plain', 'bcrypt$1$1$1$a$b', 'scrypt$x$8$1$a$b', 'scrypt$1024$8$1$a']) {
      assert.equal(await verifyPassword('pw', hash), false, hash);
    }
  });
});
