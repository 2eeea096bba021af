/**
 * Drives Orzo with Gnocchi's official command-line client (Debian's python3-gnocchiclient) over
 * HTTP, asserting on what the client prints, so that compatibility is checked by the real thing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { ensureDebianPackage, runs } from '../support/debian-package.ts';

function ensureGnocchiClient(): void {
  ensureDebianPackage('python3-gnocchiclient', () => runs('gnocchi', ['--version']));
}

describe('the gnocchi command-line client against orzo api', () => {
  let orzo: OrzoProcess;

  /** Runs `gnocchi <args>` as user admin; returns stdout, or throws with stderr. */
  function gnocchi(...args: string[]): string {
    const result = spawnSync(
      'gnocchi',
      ['--os-auth-type', 'gnocchi-basic', '--user', 'admin', '--endpoint', orzo.url, ...args],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (result.status !== 0) {
      throw new Error(`gnocchi ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    return result.stdout;
  }
  const json = (...args: string[]): unknown => JSON.parse(gnocchi(...args, '-f', 'json'));
  const failure = (...args: string[]): string => {
    const result = spawnSync(
      'gnocchi',
      ['--os-auth-type', 'gnocchi-basic', '--user', 'admin', '--endpoint', orzo.url, ...args],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.notEqual(result.status, 0, `gnocchi ${args.join(' ')} should fail`);
    return result.stderr;
  };

  before(async () => {
    ensureGnocchiClient();
    orzo = await startOrzo('api');
  });
  after(async () => {
    await orzo.stop();
  });

  it('lists the default archive policies created by orzo upgrade', () => {
    const names = (json('archive-policy', 'list') as { name: string }[]).map((p) => p.name).sort();
    assert.deepEqual(names, ['bool', 'high', 'low', 'medium']);
  });

  it('creates, shows, updates and deletes an archive policy', () => {
    const created = json(
      'archive-policy',
      'create',
      'it-policy',
      '-b',
      '1',
      '-d',
      'granularity:1s,points:60',
      '-d',
      'granularity:1m,timespan:1h',
      '-m',
      'mean',
      '-m',
      'max',
      '-m',
      'rate:mean',
    ) as Record<string, unknown>;
    assert.equal(created.name, 'it-policy');
    assert.equal(created.back_window, 1);
    assert.deepEqual(created.definition, [
      { granularity: '0:00:01', points: 60, timespan: '0:01:00' },
      { granularity: '0:01:00', points: 60, timespan: '1:00:00' },
    ]);
    assert.deepEqual(created.aggregation_methods, ['max', 'mean', 'rate:mean']);

    const shown = gnocchi('archive-policy', 'show', 'it-policy');
    assert.match(shown, /\| name\s+\| it-policy/);
    assert.match(shown, /- timespan: 0:01:00, granularity: 0:00:01, points: 60/);

    const updated = json(
      'archive-policy',
      'update',
      'it-policy',
      '-d',
      'granularity:1s,points:120',
      '-d',
      'granularity:1m,timespan:2h',
    ) as Record<string, unknown>;
    assert.deepEqual(updated.definition, [
      { granularity: '0:00:01', points: 120, timespan: '0:02:00' },
      { granularity: '0:01:00', points: 120, timespan: '2:00:00' },
    ]);

    assert.match(
      failure('archive-policy', 'update', 'it-policy', '-d', 'granularity:5s,points:10'),
      /Cannot add or drop granularities|does not support change/,
    );
    assert.match(failure('archive-policy', 'show', 'nope'), /Archive policy nope does not exist/);
  });

  it('creates, lists, shows and deletes archive policy rules', () => {
    const rule = json(
      'archive-policy-rule',
      'create',
      'it-rule',
      '-a',
      'it-policy',
      '-m',
      'it.*',
    ) as Record<string, unknown>;
    assert.deepEqual(rule, {
      name: 'it-rule',
      archive_policy_name: 'it-policy',
      metric_pattern: 'it.*',
    });
    const rules = json('archive-policy-rule', 'list') as { name: string }[];
    assert.deepEqual(
      rules.map((r) => r.name),
      ['it-rule', 'default'],
    );
    assert.match(gnocchi('archive-policy-rule', 'show', 'it-rule'), /it\.\*/);
  });

  it('creates metrics by policy name and by rule, lists, shows and deletes them', () => {
    const byName = json('metric', 'create', '-a', 'low', '-u', 'W', 'power') as Record<
      string,
      unknown
    >;
    assert.equal(byName.name, 'power');
    assert.equal(byName.unit, 'W');
    assert.equal(byName.archive_policy_name, 'low');
    const byRule = json('metric', 'create', 'it.cpu') as Record<string, unknown>;
    const shown = json('metric', 'show', String(byRule.id)) as Record<string, unknown>;
    assert.equal(shown['archive_policy/name'], 'it-policy');
    assert.equal(shown.creator, 'admin');

    const listed = (json('metric', 'list') as { id: string }[]).map((m) => m.id).sort();
    assert.deepEqual(listed, [String(byName.id), String(byRule.id)].sort());

    gnocchi('metric', 'delete', String(byName.id));
    assert.match(failure('metric', 'show', String(byName.id)), /does not exist/);
    assert.deepEqual(
      (json('metric', 'list') as { id: string }[]).map((m) => m.id),
      [String(byRule.id)],
    );
  });

  it('refuses to delete a policy still in use, by rules and by metrics awaiting expunge', () => {
    assert.match(failure('archive-policy', 'delete', 'it-policy'), /still in use/);
    gnocchi('archive-policy-rule', 'delete', 'it-rule');
    const metrics = json('metric', 'list') as { id: string }[];
    for (const { id } of metrics) gnocchi('metric', 'delete', id);
    // NOTE: deleted metrics keep their policy in use until the janitor expunges them.
    assert.match(failure('archive-policy', 'delete', 'it-policy'), /still in use/);
  });

  it('deletes an archive policy nothing uses', () => {
    gnocchi('archive-policy', 'create', 'it-unused', '-d', 'granularity:1h,points:24');
    assert.equal(gnocchi('archive-policy', 'delete', 'it-unused'), '');
    assert.match(failure('archive-policy', 'show', 'it-unused'), /does not exist/);
    const names = (json('archive-policy', 'list') as { name: string }[]).map((p) => p.name);
    assert.ok(!names.includes('it-unused'));
  });

  it('lists capabilities', () => {
    const capabilities = json('capabilities', 'list') as Record<string, unknown>;
    assert.match(String(capabilities.aggregation_methods), /rate:95pct/);
  });
  it('creates, shows, updates and deletes a resource type', () => {
    const created = json(
      'resource-type',
      'create',
      'it_instance',
      '-a',
      'display_name:string:true:max_length=64',
      '-a',
      'flavor:number:false:min=0',
    ) as Record<string, string>;
    assert.equal(created.name, 'it_instance');
    // NOTE: the client flattens attributes into `attributes/<name>` rows of `key=value`.
    assert.equal(
      created['attributes/display_name'],
      'max_length=64, min_length=0, required=True, type=string',
    );
    assert.equal(created['attributes/flavor'], 'max=None, min=0, required=False, type=number');
    assert.ok(
      (json('resource-type', 'list') as { name: string }[]).some((t) => t.name === 'it_instance'),
    );
    assert.equal(
      (json('resource-type', 'show', 'it_instance') as { state: string }).state,
      'active',
    );
    const updated = json(
      'resource-type',
      'update',
      'it_instance',
      '-a',
      'host:string:false',
      '-r',
      'flavor',
    ) as Record<string, string>;
    assert.deepEqual(
      Object.keys(updated)
        .filter((key) => key.startsWith('attributes/'))
        .sort(),
      ['attributes/display_name', 'attributes/host'],
    );
  });

  it('creates, shows, updates, searches, lists the history of and deletes resources', () => {
    const created = json(
      'resource',
      'create',
      'vm-1',
      '-t',
      'it_instance',
      '-a',
      'display_name:web',
      '-a',
      'host:compute-1',
      '-n',
      'cpu:low',
    ) as Record<string, unknown>;
    assert.equal(created.original_resource_id, 'vm-1');
    assert.equal(created.display_name, 'web');
    const id = String(created.id);
    json(
      'resource',
      'create',
      'vm-2',
      '-t',
      'it_instance',
      '-a',
      'display_name:db',
      '-a',
      'host:compute-2',
    );
    const shown = json('resource', 'show', 'vm-1', '-t', 'it_instance') as Record<string, unknown>;
    assert.equal(shown.id, id);
    assert.deepEqual(Object.keys(shown.metrics as object), ['cpu']);
    const updated = json('resource', 'update', 'vm-1', '-t', 'it_instance', '-a', 'host:compute-3');
    assert.equal((updated as Record<string, unknown>).host, 'compute-3');
    const history = json('resource', 'history', 'vm-1', '-t', 'it_instance', '--details') as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      history.map((row) => row.host),
      ['compute-1', 'compute-3'],
    );
    const found = json(
      'resource',
      'search',
      '-t',
      'it_instance',
      'host like "compute-%" and display_name!=db',
    ) as {
      id: string;
    }[];
    assert.deepEqual(
      found.map((row) => row.id),
      [id],
    );
    const listed = json('resource', 'list', '-t', 'it_instance') as unknown[];
    assert.equal(listed.length, 2);
    assert.match(
      gnocchi('measures', 'add', '-r', 'vm-1', 'cpu', '-m', '2015-01-01T00:00:00@42'),
      /^$/,
    );
    gnocchi('resource', 'delete', 'vm-1');
    assert.match(failure('resource', 'show', 'vm-1'), /does not exist/);
    const deleted = json('resource', 'batch', 'delete', '-t', 'it_instance', 'display_name=db') as {
      deleted: number;
    };
    assert.equal(deleted.deleted, 1);
    gnocchi('resource-type', 'delete', 'it_instance');
    assert.match(failure('resource-type', 'show', 'it_instance'), /does not exist/);
  });

  it('aggregates across metrics with gnocchi aggregates and gnocchi measures aggregation', () => {
    json(
      'archive-policy',
      'create',
      'it-agg',
      '-d',
      'granularity:1m,points:60',
      '-m',
      'mean',
      '-m',
      'sum',
    );
    const ids = ['agg-1', 'agg-2'].map((name, i) => {
      const resource = json(
        'resource',
        'create',
        name,
        '-a',
        'project_id:0c0b3cf7-b5c3-4e73-8d6d-8d0e1a1d1f11',
        '-n',
        'load:it-agg',
      ) as {
        metrics: { load: string };
      };
      gnocchi(
        'measures',
        'add',
        resource.metrics.load,
        '-m',
        `2015-01-01T00:00:00@${10 * (i + 1)}`,
        '-m',
        `2015-01-01T00:01:00@${20 * (i + 1)}`,
      );
      return resource.metrics.load;
    });
    const legacy = json('measures', 'aggregation', '--utc', '--refresh', '-m', ...ids) as {
      timestamp: string;
      granularity: number;
      value: number;
    }[];
    assert.deepEqual(
      legacy.map(({ timestamp, granularity, value }) => [timestamp, granularity, value]),
      [
        ['2015-01-01T00:00:00+00:00', 60, 15],
        ['2015-01-01T00:01:00+00:00', 60, 30],
      ],
    );
    const byQuery = json(
      'measures',
      'aggregation',
      '--utc',
      '-m',
      'load',
      '--reaggregation',
      'sum',
      '--resource-type',
      'generic',
      '--query',
      'original_resource_id like "agg-%"',
    ) as { value: number }[];
    assert.deepEqual(
      byQuery.map(({ value }) => value),
      [30, 60],
    );
    const reduced = json(
      'aggregates',
      `(aggregate max (metric (${ids[0]} mean) (${ids[1]} mean)))`,
    ) as { name: string; timestamp: string; value: number }[];
    assert.deepEqual(
      reduced.map(({ name, value }) => [name, value]),
      [
        ['aggregated', 20],
        ['aggregated', 40],
      ],
    );
    const perResource = json(
      'aggregates',
      '--resource-type',
      'generic',
      '--groupby',
      'project_id',
      '(aggregate sum (metric load mean))',
      'original_resource_id like "agg-%"',
    ) as { value: number }[];
    assert.deepEqual(
      perResource.map(({ value }) => value),
      [30, 60],
    );
  });
});
