import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadConfig, redactConfig } from '../../src/config/engine-config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

const noFile = (): string => {
  throw new Error('no file expected');
};

describe('loadConfig', () => {
  it('has working defaults with backends under the data folder', () => {
    const { config } = loadConfig({ env: {}, readFile: noFile });
    assert.equal(config.api.port, 8041);
    assert.equal(config.api.host, '127.0.0.1');
    assert.equal(config.api.auth, 'basic');
    assert.equal(config.api.maxLimit, 1000);
    assert.equal(config.sacks, 128);
    assert.equal(config.dataDir, './data');
    assert.equal(config.indexerUrl, 'sqlite://data/index.db');
    assert.equal(config.incomingUrl, 'file://./data');
    assert.equal(config.coordinationUrl, 'local');
    assert.deepEqual(config.archivePolicy.defaultAggregationMethods, [
      'mean',
      'min',
      'max',
      'sum',
      'std',
      'count',
    ]);
  });

  it('layers file ← environment ← flags', () => {
    const file = JSON.stringify({ dataDir: '/srv/orzo', api: { port: 9000, maxLimit: 7 } });
    const { config, positionals, extraFlags } = loadConfig({
      argv: [
        'serve',
        '--config',
        'orzo.json',
        '--port',
        '9002',
        '--skip-archive-policies-creation',
      ],
      env: {
        ORZO_API_PORT: '9001',
        ORZO_API_CORS_ALLOWED_ORIGINS: 'https://a, https://b',
        ORZO_METRICD_WORKERS: '4',
      },
      readFile: (path) => {
        assert.equal(path, 'orzo.json');
        return file;
      },
    });
    assert.equal(config.api.port, 9002);
    assert.equal(config.api.maxLimit, 7);
    assert.equal(config.metricd.workers, 4);
    assert.deepEqual(config.api.corsAllowedOrigins, ['https://a', 'https://b']);
    assert.equal(config.storageUrl, 'file:///srv/orzo');
    assert.deepEqual(positionals, ['serve']);
    assert.deepEqual(extraFlags, { 'skip-archive-policies-creation': true });
  });

  it("gives a command's own value flags their values", () => {
    const { config, positionals, extraFlags } = loadConfig({
      argv: ['ops', '--kind', 'request', 'in-flight', '--port', '9002', '--verbose'],
      valueFlags: ['kind', 'url'],
      env: {},
      readFile: noFile,
    });
    assert.equal(config.api.port, 9002);
    assert.deepEqual(positionals, ['ops', 'in-flight']);
    assert.deepEqual(extraFlags, { kind: 'request', verbose: true });
  });

  it('reads the config file named by ORZO_CONFIG', () => {
    const { config } = loadConfig({
      env: { ORZO_CONFIG: 'x.json' },
      readFile: () => '{"sacks": 16}',
    });
    assert.equal(config.sacks, 16);
  });

  it('reads a list of objects from the environment as JSON (Graphite rules)', () => {
    const rules = [{ pattern: '^a\\.(?<resource>[^.]+)\\.(?<metric>.+)$', resourceType: 'host' }];
    const { config } = loadConfig({
      env: { ORZO_GRAPHITE_RULES: JSON.stringify(rules), ORZO_STATSD_RESOURCE_ID: 'h1' },
      readFile: noFile,
    });
    assert.deepEqual(config.graphite.rules, rules);
    assert.equal(config.statsd.resourceId, 'h1');
    assert.throws(
      () => loadConfig({ env: { ORZO_GRAPHITE_RULES: '[{' }, readFile: noFile }),
      /ORZO_GRAPHITE_RULES is not valid JSON/,
    );
    assert.throws(
      () =>
        loadConfig({ env: { ORZO_GRAPHITE_RULES: '[{"resourceType":"x"}]' }, readFile: noFile }),
      /graphite\/rules\/0/,
    );
  });

  it('has op tracker defaults close to Ceph, with a larger history', () => {
    const { config } = loadConfig({ env: {}, readFile: noFile });
    assert.deepEqual(config.ops, {
      enabled: true,
      shards: 32,
      historySize: 200,
      historyDurationSeconds: 600,
      slowHistorySize: 20,
      slowThresholdSeconds: 10,
      complaintTimeSeconds: 30,
      logThreshold: 5,
      checkIntervalSeconds: 1,
      maxInFlight: 100_000,
    });
  });

  it('reads op tracker settings from ORZO_OPS_* variables', () => {
    const { config } = loadConfig({
      env: {
        ORZO_OPS_ENABLED: 'false',
        ORZO_OPS_HISTORY_SIZE: '1000',
        ORZO_OPS_COMPLAINT_TIME_SECONDS: '2.5',
      },
      readFile: noFile,
    });
    assert.equal(config.ops.enabled, false);
    assert.equal(config.ops.historySize, 1000);
    assert.equal(config.ops.complaintTimeSeconds, 2.5);
    assert.equal(config.ops.shards, 32);
  });

  it('returns a frozen config', () => {
    const { config } = loadConfig({ env: {}, readFile: noFile });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.api));
    assert.ok(Object.isFrozen(config.api.corsAllowedOrigins));
  });

  const invalid: {
    name: string;
    argv?: string[];
    env?: Record<string, string>;
    file?: string;
    message: RegExp;
  }[] = [
    { name: 'a port out of range', argv: ['--port', '70000'], message: /\/api\/port/ },
    { name: 'a non-numeric port', env: { ORZO_API_PORT: 'http' }, message: /\/api\/port/ },
    { name: 'an unknown auth mode', argv: ['--auth=ldap'], message: /\/api\/auth/ },
    { name: 'zero workers', argv: ['--workers', '0'], message: /\/metricd\/workers/ },
    { name: 'zero op tracker shards', env: { ORZO_OPS_SHARDS: '0' }, message: /\/ops\/shards/ },
    {
      name: 'a zero complaint time',
      env: { ORZO_OPS_COMPLAINT_TIME_SECONDS: '0' },
      message: /\/ops\/complaintTimeSeconds/,
    },
    {
      name: 'an unknown default aggregation method',
      env: { ORZO_ARCHIVE_POLICY_DEFAULT_AGGREGATION_METHODS: 'mean,avg' },
      message: /unknown method 'avg'/,
    },
    {
      name: 'a reporter grace shorter than two beacons',
      env: { ORZO_METRICD_BEACON_SECONDS: '2', ORZO_METRICD_REPORTER_GRACE_SECONDS: '3' },
      message: /\/metricd\/reporterGraceSeconds: less than twice beaconSeconds/,
    },
    { name: 'a flag without a value', argv: ['--port'], message: /--port needs a value/ },
    {
      name: 'a config file that is not JSON',
      argv: ['--config', 'c.json'],
      file: '{port',
      message: /not valid JSON/,
    },
    {
      name: 'a config file that is a list',
      argv: ['--config', 'c.json'],
      file: '[]',
      message: /JSON object/,
    },
    {
      name: 'a setting the configuration does not have, naming it',
      argv: ['--config', 'c.json'],
      file: '{"api": {"colour": "red"}}',
      message: /^invalid configuration at \/api\/colour: unknown setting$/,
    },
    {
      name: 'a value outside a list of choices, listing them',
      argv: ['--auth', 'foo'],
      message:
        /^invalid configuration at \/api\/auth: must be one of basic, noauth, remoteuser, verified, keystone \(got "foo"\)$/,
    },
  ];
  for (const row of invalid) {
    it(`refuses ${row.name}`, () => {
      assert.throws(
        () =>
          loadConfig({
            argv: row.argv ?? [],
            env: row.env ?? {},
            readFile: () => row.file ?? '{}',
          }),
        (error: unknown) => error instanceof ConfigError && row.message.test(error.message),
      );
    });
  }
});

describe('redactConfig', () => {
  it('masks passwords inside URLs', () => {
    const { config } = loadConfig({
      argv: [
        '--indexer',
        'postgresql://orzo:s3cret@db:5432/orzo',
        '--incoming',
        'redis://:pw@cache:6379/0',
      ],
      env: {},
    });
    const shown = JSON.stringify(redactConfig(config));
    assert.ok(!shown.includes('s3cret') && !shown.includes(':pw@'), shown);
    assert.ok(shown.includes('postgresql://orzo:***@db:5432/orzo'));
  });

  it('masks the Keystone service password', () => {
    const { config } = loadConfig({
      argv: ['--auth', 'keystone'],
      env: {
        ORZO_API_KEYSTONE_URL: 'http://keystone:5000',
        ORZO_API_KEYSTONE_SERVICE_PASSWORD: 'k3ystone-secret',
      },
    });
    assert.equal(config.api.keystoneServicePassword, 'k3ystone-secret');
    const shown = JSON.stringify(redactConfig(config));
    assert.ok(!shown.includes('k3ystone-secret'), shown);
    assert.ok(shown.includes('"keystoneUrl":"http://keystone:5000"'));
  });
});
