/**
 * The verified mode's authenticator behind the failure limit, on a real SQLite indexer:
 * passwords, tokens, the caches and what invalidates them, the lockout of a guessing client, and
 * what a failure logs.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { issueApiToken } from '../../../src/api/auth/api-token.ts';
import { hashPassword } from '../../../src/api/auth/password-hash.ts';
import {
  RequestAuthenticator,
  type FailedLogin,
} from '../../../src/api/auth/request-authenticator.ts';
import { VerifiedAuthenticator } from '../../../src/api/auth/verified-authenticator.ts';
import {
  AuthenticationRequiredError,
  InvalidCredentialsError,
  TooManyFailedLoginsError,
} from '../../../src/api/http/request-errors.ts';
import { parseIndexerUrl } from '../../../src/config/index.ts';
import { createIndexer, type Indexer } from '../../../src/indexer/index.ts';

const FAST = { N: 1024, r: 8, p: 1 };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('VerifiedAuthenticator', () => {
  let indexer: Indexer;
  let now: number;
  let failures: FailedLogin[];
  let guarded: RequestAuthenticator;
  const auth = {
    authenticate: (authorization: string | undefined, client: string) =>
      guarded.authenticate(authorization === undefined ? {} : { authorization }, client),
  };

  beforeEach(async () => {
    indexer = createIndexer(parseIndexerUrl('sqlite::memory:'));
    await indexer.upgrade();
    await indexer.createUser({
      name: 'alice',
      passwordHash: await hashPassword('s3cret', FAST),
      projectId: 'p1',
      roles: ['reader'],
      createdAt: 0,
    });
    await indexer.createUser({
      name: 'root',
      passwordHash: await hashPassword('toor', FAST),
      projectId: null,
      roles: ['admin'],
      createdAt: 0,
    });
    now = 1_800_000_000_000;
    failures = [];
    const check = new VerifiedAuthenticator({
      accounts: indexer,
      userTtlMs: 5000,
      clock: () => now,
    });
    guarded = new RequestAuthenticator(check, {
      failureLimit: 3,
      failureWindowMs: 60_000,
      clock: () => now,
      onFailure: (failure) => failures.push(failure),
    });
  });

  afterEach(() => indexer.close());

  it('gives a user with the right password its creator string, project and roles', async () => {
    assert.deepEqual(await auth.authenticate(basic('alice', 's3cret'), 'c'), {
      user: 'alice:p1',
      roles: ['reader'],
      projectId: 'p1',
    });
    assert.deepEqual(await auth.authenticate(basic('root', 'toor'), 'c'), {
      user: 'root',
      roles: ['admin'],
    });
  });

  it('refuses a wrong password and an unknown user alike, and logs neither password', async () => {
    for (const header of [basic('alice', 'S3cret'), basic('alice', ''), basic('mallory', 'x1')]) {
      await assert.rejects(auth.authenticate(header, 'c1'), (error: unknown) => {
        assert.ok(error instanceof InvalidCredentialsError);
        assert.equal(error.message, 'The credentials are not valid');
        return true;
      });
    }
    assert.deepEqual(
      failures.map(({ principal, reason }) => [principal, reason]),
      [
        ['alice', 'wrong password'],
        ['alice', 'wrong password'],
        ['mallory', 'unknown user'],
      ],
    );
    assert.doesNotMatch(JSON.stringify(failures), /S3cret|x1/);
  });

  it('asks for credentials when there are none, and refuses unreadable ones', async () => {
    await assert.rejects(auth.authenticate(undefined, 'c'), AuthenticationRequiredError);
    await assert.rejects(auth.authenticate('Digest abc', 'c'), InvalidCredentialsError);
    await assert.rejects(auth.authenticate('Basic !!!', 'c'), InvalidCredentialsError);
  });

  it('sees a changed password once the user record is older than its time to live', async () => {
    await auth.authenticate(basic('alice', 's3cret'), 'c');
    await indexer.updateUser('alice', { passwordHash: await hashPassword('n3w', FAST) });
    assert.equal((await auth.authenticate(basic('alice', 's3cret'), 'c')).user, 'alice:p1');
    now += 5000;
    await assert.rejects(auth.authenticate(basic('alice', 's3cret'), 'c'), InvalidCredentialsError);
    assert.equal((await auth.authenticate(basic('alice', 'n3w'), 'c')).user, 'alice:p1');
    await indexer.deleteUser('alice');
    now += 5000;
    await assert.rejects(auth.authenticate(basic('alice', 'n3w'), 'c'), InvalidCredentialsError);
  });

  it('takes a token as Bearer, or as a Basic user without password; not once revoked', async () => {
    const issued = issueApiToken();
    await indexer.createApiToken({
      id: issued.id,
      user: 'alice',
      secretHash: issued.secretHash,
      description: 'collector',
      createdAt: now,
      expiresAt: null,
    });
    assert.equal((await auth.authenticate(`Bearer ${issued.text}`, 'c')).user, 'alice:p1');
    assert.equal((await auth.authenticate(basic(issued.text, ''), 'c')).user, 'alice:p1');
    await indexer.deleteApiToken(issued.id);
    await assert.rejects(auth.authenticate(`Bearer ${issued.text}`, 'c'), InvalidCredentialsError);
    await assert.rejects(auth.authenticate('Bearer orzo_nonsense', 'c'), InvalidCredentialsError);
    assert.deepEqual(
      failures.map(({ reason }) => reason),
      ['unknown token', 'unknown token'],
    );
  });

  it('refuses a token past its expiry, and a forged secret for a known id', async () => {
    const issued = issueApiToken();
    await indexer.createApiToken({
      id: issued.id,
      user: 'alice',
      secretHash: issued.secretHash,
      description: null,
      createdAt: now,
      expiresAt: now + 1000,
    });
    assert.equal((await auth.authenticate(`Bearer ${issued.text}`, 'c')).user, 'alice:p1');
    // NOTE: another token's whole secret (base64url, which may hold `_`), under this id.
    const other = issueApiToken();
    const forged = `orzo_${issued.id}_${other.text.slice(`orzo_${other.id}_`.length)}`;
    await assert.rejects(auth.authenticate(`Bearer ${forged}`, 'c'), InvalidCredentialsError);
    now += 1000;
    await assert.rejects(auth.authenticate(`Bearer ${issued.text}`, 'c'), InvalidCredentialsError);
    assert.deepEqual(
      failures.map(({ reason }) => reason),
      ['unknown token', 'expired token'],
    );
  });

  it('locks out a guessing client, right password or not, until its window passes', async () => {
    for (let guess = 0; guess < 3; guess += 1) {
      await assert.rejects(auth.authenticate(basic('alice', `guess${guess}`), 'attacker'));
    }
    await assert.rejects(auth.authenticate(basic('alice', 's3cret'), 'attacker'), (error) => {
      assert.ok(error instanceof TooManyFailedLoginsError);
      assert.equal(error.retryAfterSeconds, 60);
      return true;
    });
    assert.equal((await auth.authenticate(basic('alice', 's3cret'), 'other')).user, 'alice:p1');
    now += 60_000;
    assert.equal((await auth.authenticate(basic('alice', 's3cret'), 'attacker')).user, 'alice:p1');
    assert.deepEqual(
      failures.map(({ failures: count }) => count),
      [1, 2, 3],
    );
  });
});
