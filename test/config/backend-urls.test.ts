/** The backend URLs of the configuration, read once into the targets the factories take. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_REDIS_PREFIX,
  parseCoordinationUrl,
  parseDataBackendUrl,
  parseIndexerUrl,
  resolveConfig,
  sameRedisDatabase,
  type IndexerTarget,
} from '../../src/config/index.ts';
import { ConfigError } from '../../src/errors/index.ts';

describe('parseIndexerUrl', () => {
  const CASES: readonly { url: string; target: IndexerTarget }[] = [
    { url: 'sqlite::memory:', target: { backend: 'sqlite', path: ':memory:' } },
    { url: 'sqlite://:memory:', target: { backend: 'sqlite', path: ':memory:' } },
    { url: 'sqlite://./data/index.db', target: { backend: 'sqlite', path: './data/index.db' } },
    { url: 'sqlite://data/index.db', target: { backend: 'sqlite', path: 'data/index.db' } },
    {
      url: 'sqlite:///srv/orzo/index.db',
      target: { backend: 'sqlite', path: '/srv/orzo/index.db' },
    },
    {
      url: 'postgresql://orzo:secret@db:5432/orzo',
      target: { backend: 'postgresql', connectionString: 'postgresql://orzo:secret@db:5432/orzo' },
    },
    {
      url: 'postgres://db/orzo?options=-c%20search_path%3Dx',
      target: {
        backend: 'postgresql',
        connectionString: 'postgres://db/orzo?options=-c%20search_path%3Dx',
      },
    },
  ];
  for (const { url, target } of CASES) {
    it(`reads ${url}`, () => {
      assert.deepEqual(parseIndexerUrl(url), target);
    });
  }

  const BAD: readonly { url: string; reason: string }[] = [
    { url: '', reason: 'expected sqlite://PATH, sqlite::memory: or postgresql://…' },
    { url: 'sqlite://', reason: 'it names no database file' },
    { url: 'sqlite:index.db', reason: 'expected sqlite://PATH, sqlite::memory: or postgresql://…' },
    { url: 'mysql://db/orzo', reason: 'expected sqlite://PATH, sqlite::memory: or postgresql://…' },
    { url: 'postgresql://db:port/orzo', reason: 'it is not a valid URL' },
  ];
  for (const { url, reason } of BAD) {
    it(`refuses ${JSON.stringify(url)} with a clear error`, () => {
      assert.throws(() => parseIndexerUrl(url), {
        name: ConfigError.name,
        code: 'INVALID_CONFIG',
        path: 'indexerUrl',
        message: `unusable indexer URL ${url}: ${reason}`,
      });
    });
  }

  it('masks the password of a refused URL', () => {
    assert.throws(() => parseIndexerUrl('mongodb://orzo:secret@db/orzo'), {
      message:
        'unusable indexer URL mongodb://orzo:***@db/orzo: ' +
        'expected sqlite://PATH, sqlite::memory: or postgresql://…',
    });
  });
});

for (const key of ['incomingUrl', 'storageUrl'] as const) {
  describe(`parseDataBackendUrl (${key})`, () => {
    it('reads file URLs, relative or absolute', () => {
      assert.deepEqual(parseDataBackendUrl('file://./data', key, { fsync: true }), {
        driver: 'file',
        basePath: './data',
        fsync: true,
      });
      assert.deepEqual(parseDataBackendUrl('file:///srv/orzo', key, { fsync: false }), {
        driver: 'file',
        basePath: '/srv/orzo',
        fsync: false,
      });
    });

    it('reads Redis URLs, taking the prefix from the URL, else orzo:', () => {
      assert.deepEqual(
        parseDataBackendUrl('redis://127.0.0.1:6379/2?prefix=p1:', key, { fsync: true }),
        {
          driver: 'redis',
          url: 'redis://127.0.0.1:6379/2',
          prefix: 'p1:',
        },
      );
      const byDefault = parseDataBackendUrl('rediss://127.0.0.1', key, { fsync: true });
      assert.equal(byDefault.driver === 'redis' && byDefault.prefix, 'orzo:');
    });

    it('refuses other URLs with a ConfigError naming the key', () => {
      for (const url of ['s3://bucket', 'file://', './data', 'postgresql://x', 'redis://[bad']) {
        assert.throws(
          () => parseDataBackendUrl(url, key, { fsync: true }),
          { name: ConfigError.name, path: key },
          url,
        );
      }
    });
  });
}

describe('parseCoordinationUrl', () => {
  it('reads local', () => {
    assert.deepEqual(parseCoordinationUrl('local'), { kind: 'local' });
  });

  it('reads a Redis URL without a prefix as the default prefix', () => {
    assert.deepEqual(parseCoordinationUrl('redis://127.0.0.1:6379/2'), {
      kind: 'redis',
      url: 'redis://127.0.0.1:6379/2',
      prefix: DEFAULT_REDIS_PREFIX,
    });
  });

  it('takes the prefix parameter out of the URL', () => {
    assert.deepEqual(parseCoordinationUrl('redis://user:secret@redis.example:6380/1?prefix=c1:'), {
      kind: 'redis',
      url: 'redis://user:secret@redis.example:6380/1',
      prefix: 'c1:',
    });
  });

  it('reads a TLS Redis URL', () => {
    assert.deepEqual(parseCoordinationUrl('rediss://redis.example?prefix=p:'), {
      kind: 'redis',
      url: 'rediss://redis.example',
      prefix: 'p:',
    });
  });

  for (const url of [
    'file:///var/lib/orzo',
    'file://./data',
    'http://127.0.0.1:6379',
    'Local',
    '',
    'redis',
    'zookeeper://host',
    'redis://[bad',
  ]) {
    it(`rejects ${JSON.stringify(url)} with a ConfigError`, () => {
      assert.throws(() => parseCoordinationUrl(url), {
        name: ConfigError.name,
        path: 'coordinationUrl',
      });
    });
  }
});

describe('sameRedisDatabase', () => {
  it('compares server and database, with the defaults filled in', () => {
    assert.equal(sameRedisDatabase('redis://127.0.0.1', 'redis://127.0.0.1:6379/0'), true);
    assert.equal(sameRedisDatabase('redis://127.0.0.1/1', 'redis://127.0.0.1/2'), false);
    assert.equal(sameRedisDatabase('redis://a:6379', 'redis://b:6379'), false);
  });
});

describe('the configuration reads every backend URL once', () => {
  it('resolves the embedded defaults into targets', () => {
    const { backends } = resolveConfig([{ dataDir: '/srv/orzo', storageFsync: false }]);
    assert.deepEqual(backends, {
      indexer: { backend: 'sqlite', path: '/srv/orzo/index.db' },
      incoming: { driver: 'file', basePath: '/srv/orzo', fsync: true },
      storage: { driver: 'file', basePath: '/srv/orzo', fsync: false },
      coordination: { kind: 'local' },
    });
  });

  it('stops at load with the key of a bad URL', () => {
    assert.throws(() => resolveConfig([{ storageUrl: 's3://bucket' }]), {
      name: ConfigError.name,
      path: 'storageUrl',
    });
  });
});
