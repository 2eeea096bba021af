import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  createRedisClient,
  isRedisUnavailability,
  quitRedisClient,
  redisErrorCause,
  waitUntilConnected,
} from '../../src/redis/redis-connection.ts';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis.ts';

/** A reply error as ioredis makes them. */
function replyError(message: string, previousErrors?: Error[]): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return previousErrors === undefined ? error : Object.assign(error, { previousErrors });
}

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

describe('Redis errors', () => {
  it('reads a transaction refused at queue time through to the command refused', () => {
    const refused = replyError(OOM);
    const abort = replyError('EXECABORT Transaction discarded because of previous errors.', [
      refused,
    ]);
    assert.equal(redisErrorCause(abort), refused);
    assert.equal(isRedisUnavailability(abort), true);
  });

  it('reads a transaction refused at EXEC through to the refusal it names', () => {
    const abort = replyError(`EXECABORT Transaction discarded because of: ${OOM}`, []);
    const cause = redisErrorCause(abort) as Error;
    assert.equal(cause.message, OOM);
    assert.equal(cause.name, 'ReplyError');
    assert.equal(isRedisUnavailability(abort), true);
  });

  it('keeps wrong requests apart from unavailability', () => {
    const wrongType = replyError('WRONGTYPE Operation against a key holding the wrong kind');
    assert.equal(redisErrorCause(wrongType), wrongType);
    assert.equal(isRedisUnavailability(wrongType), false);
    const abort = replyError('EXECABORT Transaction discarded because of previous errors.', [
      wrongType,
    ]);
    assert.equal(isRedisUnavailability(abort), false);
    assert.equal(isRedisUnavailability(new Error('connect ECONNREFUSED')), true);
  });
});

describe('createRedisClient', () => {
  it('sends the commands issued in one turn in one write, each answered in its place', async () => {
    const client = createRedisClient(SHARED_REDIS_URL);
    const prefix = randomPrefix();
    try {
      assert.equal(await waitUntilConnected(client), true);
      // NOTE: the socket's writes are what Redis reads; count them where they are made.
      const socket = client.stream;
      const write = socket.write.bind(socket);
      let writes = 0;
      socket.write = ((...args: Parameters<typeof write>) => {
        writes++;
        return write(...args);
      }) as typeof socket.write;
      const keys = Array.from({ length: 200 }, (_, index) => `${prefix}${String(index)}`);
      await Promise.all(keys.map((key, index) => client.set(key, String(index))));
      const values = await Promise.all(keys.map((key) => client.get(key)));
      assert.deepEqual(
        values,
        keys.map((_, index) => String(index)),
      );
      assert.equal(writes, 2);
    } finally {
      await deleteKeys(client, prefix);
      await quitRedisClient(client);
    }
  });
});
