/** The `--coordination` setting: `local`, or a Redis URL whose `prefix` parameter is the key prefix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_COORDINATION_PREFIX,
  parseCoordinationUrl,
} from '../../src/coordination/coordination-url.ts';

describe('parseCoordinationUrl', () => {
  it('reads local', () => {
    assert.deepEqual(parseCoordinationUrl('local'), { kind: 'local' });
  });

  it('reads a Redis URL without a prefix as the default prefix', () => {
    assert.deepEqual(parseCoordinationUrl('redis://127.0.0.1:6379/2'), {
      kind: 'redis',
      url: 'redis://127.0.0.1:6379/2',
      prefix: DEFAULT_COORDINATION_PREFIX,
      redisOptions: {},
    });
  });

  it('takes the prefix parameter out of the URL', () => {
    assert.deepEqual(parseCoordinationUrl('redis://user:secret@redis.example:6380/1?prefix=c1:'), {
      kind: 'redis',
      url: 'redis://user:secret@redis.example:6380/1',
      prefix: 'c1:',
      redisOptions: {},
    });
  });

  it('reads a TLS Redis URL', () => {
    assert.deepEqual(parseCoordinationUrl('rediss://redis.example?prefix=p:'), {
      kind: 'redis',
      url: 'rediss://redis.example',
      prefix: 'p:',
      redisOptions: {},
    });
  });

  for (const url of ['file:///var/lib/orzo', 'http://127.0.0.1:6379', 'Local', '', 'redis']) {
    it(`rejects ${JSON.stringify(url)} with a RangeError`, () => {
      assert.throws(() => parseCoordinationUrl(url), RangeError);
    });
  }
});
