/**
 * InfluxDB's write API under `/v1/influxdb`: ping, `create database`, and writes mapped onto
 * resources and metrics as Gnocchi maps them, with Gnocchi's refusals.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { transformResourceId } from '../../src/grammar/index.ts';
import { ADMIN, FOOBAR, createCatchAllPolicy, startApi, type TestApi } from './harness.ts';

const T0_NS = 1_767_225_600_000_000_000n;

describe('InfluxDB write API', () => {
  let api: TestApi;

  before(async () => {
    api = await startApi();
    await createCatchAllPolicy(api);
  });
  after(() => api.close());

  const query = (q: string, authorization = ADMIN) =>
    api.app.inject({
      method: 'POST',
      url: `/v1/influxdb/query?q=${encodeURIComponent(q)}`,
      headers: { authorization },
    });
  const write = (body: string | Buffer, url = '/v1/influxdb/write?db=influx', headers = {}) =>
    api.app.inject({
      method: 'POST',
      url,
      headers: { authorization: ADMIN, 'content-type': 'text/plain', ...headers },
      payload: body,
    });
  /** The measures waiting for a resource's metric. */
  const waiting = async (resourceName: string, metricName: string, type = 'influx') => {
    const id = transformResourceId(resourceName, 'admin');
    const resource = await api.indexer.getResource(type, id);
    assert.ok(resource, `resource ${resourceName} exists`);
    const metricId = resource.metrics[metricName];
    assert.ok(
      metricId,
      `metric ${metricName} exists among ${Object.keys(resource.metrics).join(', ')}`,
    );
    const pending = await api.incoming.readPending(metricId);
    return [...pending.measures.timestamps].map((t, i) => [t, pending.measures.values[i]]);
  };

  it('answers ping with 204 and a version', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await api.app.inject({ method, url: '/v1/influxdb/ping' });
      assert.equal(response.statusCode, 204);
      assert.match(String(response.headers['x-influxdb-version']), /^Gnocchi /);
    }
  });

  it('creates a database as a resource type, quoted or not, and again without error, answering as InfluxDB', async () => {
    const created = await query('create database influx');
    assert.equal(created.statusCode, 200);
    assert.deepEqual(created.json(), { results: [{ statement_id: 0 }] });
    assert.equal((await query('CREATE DATABASE "influx";')).statusCode, 200);
    assert.equal((await query('create database "other_db"')).statusCode, 200);
    assert.ok(await api.indexer.getResourceType('influx'));
    assert.ok(await api.indexer.getResourceType('other_db'));
    const form = await api.app.inject({
      method: 'POST',
      url: '/v1/influxdb/query',
      headers: { authorization: ADMIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'q=create+database+form_db',
    });
    assert.equal(form.statusCode, 200, form.body);
    assert.ok(await api.indexer.getResourceType('form_db'));
    // NOTE: a quoted name may hold what no resource type name may.
    assert.equal((await query('create database "a b"')).statusCode, 400);
  });

  it('answers any other query 501, as Gnocchi', async () => {
    const response = await query('select * from cpu');
    assert.equal(response.statusCode, 501);
    assert.deepEqual(response.json<{ description: unknown }>().description, {
      cause: 'Not implemented error',
      detail: 'q',
      reason: 'Query not implemented',
    });
  });

  it('stores fields as metrics of the host resource, named with the other tags sorted', async () => {
    const lines = [
      `cpu,zone=b,host=web1,core=0 usage=0.5,idle=12i,name="x" ${String(T0_NS)}`,
      `cpu,host=web1,core=0,zone=b usage=0.75 ${String(T0_NS + 1_000_000_000n)}`,
      '',
      '# a comment',
      `disk/io,host=web2 up=true ${String(T0_NS)}`,
    ].join('\n');
    const response = await write(lines);
    assert.equal(response.statusCode, 204, response.body);
    const t0 = Number(T0_NS / 1000n);
    assert.deepEqual(await waiting('web1', 'cpu.usage@core=0,zone=b'), [
      [t0, 0.5],
      [t0 + 1_000_000, 0.75],
    ]);
    assert.deepEqual(await waiting('web1', 'cpu.idle@core=0,zone=b'), [[t0, 12]]);
    assert.deepEqual(await waiting('web2', 'disk_io.up'), [[t0, 1]]);
    const web1 = await api.indexer.getResource('influx', transformResourceId('web1', 'admin'));
    assert.equal(web1?.originalResourceId, 'web1');
    assert.equal(web1.metrics['cpu.name@core=0,zone=b'], undefined, 'string fields are skipped');
  });

  it('takes the resource from the tag the header names, and timestamps in the precision given', async () => {
    const response = await write(
      'mem,node=n1 free=3 1767225600',
      '/v1/influxdb/write?db=influx&precision=s',
      { 'x-gnocchi-influxdb-tag-resource-id': 'node' },
    );
    assert.equal(response.statusCode, 204, response.body);
    assert.deepEqual(await waiting('n1', 'mem.free'), [[1_767_225_600_000_000, 3]]);
  });

  it('reads gzip bodies, and stamps lines without a timestamp with now', async () => {
    const before = Date.now() * 1000;
    const response = await write(gzipSync('load,host=web3 one=1.5'), undefined, {
      'content-encoding': 'gzip',
    });
    assert.equal(response.statusCode, 204, response.body);
    const [[timestamp, value]] = (await waiting('web3', 'load.one')) as [[number, number]];
    assert.equal(value, 1.5);
    assert.ok(timestamp >= before - 1_000_000 && timestamp <= Date.now() * 1000 + 1_000_000);
  });

  it('refuses a bad line with its number, and stores nothing of the request', async () => {
    const response = await write('ok,host=web9 v=1 1\nbad,host=web9 v=abc 2');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json<{ description: unknown }>().description, {
      cause: 'Value error',
      detail: 'line',
      reason: 'Unable to parse line 2',
      problem: 'invalid field value abc',
    });
    assert.equal(
      await api.indexer.getResource('influx', transformResourceId('web9', 'admin')),
      undefined,
    );
  });

  it('refuses a line without the resource tag, as Gnocchi words it', async () => {
    const response = await write('cpu,zone=a usage=1');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json<{ description: unknown }>().description, {
      cause: 'Value error',
      detail: 'key',
      reason: "Unable to find key `host' in tags",
    });
  });

  it('refuses an unknown precision, a database never created, and a resource of another type', async () => {
    for (const unit of ['d', 'toString', 'constructor']) {
      const precision = await write(
        'cpu,host=a v=1 1',
        `/v1/influxdb/write?db=influx&precision=${unit}`,
      );
      assert.equal(precision.statusCode, 400);
      assert.match(precision.body, /Invalid precision/);
    }
    const missing = await write('cpu,host=a v=1 1', '/v1/influxdb/write?db=nosuchdb');
    assert.equal(missing.statusCode, 404);
    // NOTE: web1 is an `influx` resource; writing it into `other_db` is a conflict.
    const conflict = await write('cpu,host=web1 v=1 1', '/v1/influxdb/write?db=other_db');
    assert.equal(conflict.statusCode, 409);
  });

  it('needs a caller, and the right to create resources', async () => {
    const anonymous = await api.app.inject({
      method: 'POST',
      url: '/v1/influxdb/write?db=influx',
      payload: 'cpu,host=a v=1 1',
    });
    assert.equal(anonymous.statusCode, 401);
    const created = await write('cpu,host=foo-host v=1 1', undefined, { authorization: FOOBAR });
    assert.equal(created.statusCode, 204, created.body);
  });
});
