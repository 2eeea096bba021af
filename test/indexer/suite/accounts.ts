/** Conformance: the users and API tokens of the `verified` auth mode. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ApiTokenNotFoundError,
  ApiUserAlreadyExistsError,
  ApiUserNotFoundError,
  type ApiToken,
  type ApiUser,
} from '../../../src/indexer/index.ts';
import { useIndexer, type MakeIndexer } from './harness.ts';

const user = (name: string, extra: Partial<ApiUser> = {}): ApiUser => ({
  name,
  passwordHash: `scrypt$1$1$1$salt$${name}`,
  projectId: null,
  roles: [],
  createdAt: 1_700_000_000_000,
  ...extra,
});

const token = (id: string, owner: string, extra: Partial<ApiToken> = {}): ApiToken => ({
  id,
  user: owner,
  secretHash: `digest-${id}`,
  description: null,
  createdAt: 1_700_000_000_000,
  expiresAt: null,
  ...extra,
});

/** Runs the accounts part of the suite. */
export function describeAccounts(makeIndexer: MakeIndexer): void {
  describe('accounts', () => {
    const harness = useIndexer(makeIndexer);

    it('creates, reads and lists users by name, code point order', async () => {
      const { indexer } = harness();
      const alice = user('alice', { projectId: 'p1', roles: ['admin', 'service'] });
      await indexer.createUser(user('bob'));
      await indexer.createUser(alice);
      await indexer.createUser(user('Zed'));
      assert.deepEqual(await indexer.getUser('alice'), alice);
      assert.equal(await indexer.getUser('nobody'), undefined);
      const names = (await indexer.listUsers()).map((each) => each.name);
      assert.deepEqual(names, ['Zed', 'alice', 'bob']);
    });

    it('refuses a second user of the same name', async () => {
      const { indexer } = harness();
      await indexer.createUser(user('alice'));
      await assert.rejects(indexer.createUser(user('alice')), ApiUserAlreadyExistsError);
    });

    it('changes a password, a project and roles; an unknown user is not found', async () => {
      const { indexer } = harness();
      await indexer.createUser(user('alice', { projectId: 'p1', roles: ['x'] }));
      const changed = await indexer.updateUser('alice', { passwordHash: 'new', roles: [] });
      assert.deepEqual(changed, user('alice', { projectId: 'p1', passwordHash: 'new' }));
      const moved = await indexer.updateUser('alice', { projectId: null });
      assert.equal(moved.projectId, null);
      assert.deepEqual(await indexer.getUser('alice'), moved);
      await assert.rejects(indexer.updateUser('bob', { roles: [] }), ApiUserNotFoundError);
    });

    it('keeps tokens of known users, lists them oldest first, and revokes them', async () => {
      const { indexer } = harness();
      await indexer.createUser(user('alice'));
      await indexer.createUser(user('bob'));
      const second = token('t2', 'alice', { createdAt: 2, expiresAt: 5_000_000_000_000 });
      const first = token('t1', 'alice', { createdAt: 1, description: 'collector' });
      await indexer.createApiToken(second);
      await indexer.createApiToken(first);
      await indexer.createApiToken(token('t3', 'bob', { createdAt: 3 }));
      await assert.rejects(indexer.createApiToken(token('t4', 'carol')), ApiUserNotFoundError);
      assert.deepEqual(await indexer.getApiToken('t2'), second);
      assert.deepEqual(await indexer.listApiTokens('alice'), [first, second]);
      assert.deepEqual(
        (await indexer.listApiTokens()).map((each) => each.id),
        ['t1', 't2', 't3'],
      );
      await indexer.deleteApiToken('t1');
      assert.equal(await indexer.getApiToken('t1'), undefined);
      await assert.rejects(indexer.deleteApiToken('t1'), ApiTokenNotFoundError);
    });

    it('revokes the tokens of a user it removes', async () => {
      const { indexer } = harness();
      await indexer.createUser(user('alice'));
      await indexer.createApiToken(token('t1', 'alice'));
      await indexer.deleteUser('alice');
      assert.equal(await indexer.getUser('alice'), undefined);
      assert.equal(await indexer.getApiToken('t1'), undefined);
      await assert.rejects(indexer.deleteUser('alice'), ApiUserNotFoundError);
    });
  });
}
