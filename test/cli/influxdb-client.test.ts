/**
 * The InfluxDB Python client (Debian's python3-influxdb) writing to a real `orzo serve`: ping,
 * `create_database`, `write_points` in nanoseconds and in seconds, plain and gzip; the series
 * are read back through the API once metricd has processed them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { request, waitForDrain } from '../support/aggregate-workload.ts';
import { startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { DEBIAN_PYTHON, ensureDebianPackage, runs } from '../support/debian-package.ts';

const PYTHON = DEBIAN_PYTHON;
const WRITER = join(import.meta.dirname, '..', 'support', 'clients', 'influxdb-writer.py');

function ensureInfluxClient(): void {
  ensureDebianPackage('python3-influxdb', () => runs(PYTHON, ['-c', 'import influxdb']));
}

interface ResourceJson {
  readonly metrics: Record<string, string>;
}

describe('the InfluxDB Python client against orzo serve', () => {
  let orzo: OrzoProcess;

  before(async () => {
    ensureInfluxClient();
    orzo = await startOrzo('serve');
  });
  after(async () => {
    await orzo.stop();
  });

  /** Runs the writer; returns what it printed (the ping's version). */
  function writePoints(database: string, hostPrefix: string, gzip: boolean): string {
    const port = new URL(orzo.url).port;
    const args = [WRITER, port, database, hostPrefix, ...(gzip ? ['gzip'] : [])];
    const result = spawnSync(PYTHON, args, {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  }

  /** The `sum` of the 5-minute bucket of 2026-01-01T00:00 of a resource's metric. */
  async function sumOf(database: string, host: string, metric: string): Promise<unknown> {
    const resource = (await request(
      orzo.url,
      'GET',
      `/v1/resource/${database}/${host}`,
    )) as ResourceJson;
    const id = resource.metrics[metric];
    assert.ok(id, `${metric} among ${Object.keys(resource.metrics).join(', ')}`);
    return request(orzo.url, 'GET', `/v1/metric/${id}/measures?aggregation=sum`);
  }

  for (const gzip of [false, true]) {
    const database = gzip ? 'telegraf_gzip' : 'telegraf';
    // NOTE: a host is one resource, of one type: the second database needs hosts of its own.
    const host = gzip ? 'db' : 'web';
    it(`pings, creates the database and writes points${gzip ? ', gzipped' : ''}; they read back`, async () => {
      assert.match(writePoints(database, host, gzip), /^Gnocchi /);
      await waitForDrain(orzo.url, 60_000);
      const bucket = '2026-01-01T00:00:00+00:00';
      // NOTE: 30 points, 0 to 29, in one 5-minute bucket of the default policy `low`.
      assert.deepEqual(await sumOf(database, `${host}1`, 'cpu.usage_user@cpu=cpu0'), [
        [bucket, 300, 435],
      ]);
      assert.deepEqual(await sumOf(database, `${host}1`, 'cpu.processes@cpu=cpu0'), [
        [bucket, 300, 435],
      ]);
      assert.deepEqual(await sumOf(database, `${host}2`, 'mem.free'), [[bucket, 300, 303]]);
      const first = (await request(
        orzo.url,
        'GET',
        `/v1/resource/${database}/${host}1`,
      )) as ResourceJson;
      assert.deepEqual(Object.keys(first.metrics).sort(), [
        'cpu.processes@cpu=cpu0',
        'cpu.usage_user@cpu=cpu0',
      ]);
    });
  }
});
