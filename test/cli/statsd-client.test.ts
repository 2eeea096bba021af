/**
 * The statsd Python client (Debian's python3-statsd) sending counters, gauges, timers and sets
 * to the listener `orzo serve` runs with `statsd.enabled`; the flushed values are read back
 * through the API once metricd has processed them, and checked against what was sent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { request, waitForDrain } from '../support/aggregate-workload.ts';
import { freePort, startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { DEBIAN_PYTHON, ensureDebianPackage, runs } from '../support/debian-package.ts';

const PYTHON = DEBIAN_PYTHON;
const SENDER = join(import.meta.dirname, '..', 'support', 'clients', 'statsd-sender.py');

function ensureStatsdClient(): void {
  ensureDebianPackage('python3-statsd', () => runs(PYTHON, ['-c', 'import statsd']));
}

interface ResourceJson {
  readonly creator: string;
  readonly metrics: Record<string, string>;
}

describe('the statsd Python client against orzo serve with statsd enabled', () => {
  let orzo: OrzoProcess;
  const resourceId = randomUUID();
  let statsdPort: number;

  before(async () => {
    ensureStatsdClient();
    statsdPort = await freePort();
    orzo = await startOrzo('serve', [], {
      env: {
        ORZO_STATSD_ENABLED: 'true',
        ORZO_STATSD_PORT: String(statsdPort),
        ORZO_STATSD_RESOURCE_ID: resourceId,
        ORZO_STATSD_FLUSH_SECONDS: '1',
        ORZO_METRICD_TICK_SECONDS: '0.2',
      },
    });
  });
  after(async () => {
    await orzo.stop();
  });

  /** Every value of a metric's `method` series (whatever buckets the flushes fell in). */
  async function values(resource: ResourceJson, metric: string, method: string): Promise<number[]> {
    const id = resource.metrics[metric];
    assert.ok(id, `${metric} among ${Object.keys(resource.metrics).join(', ')}`);
    const points = (await request(
      orzo.url,
      'GET',
      `/v1/metric/${id}/measures?aggregation=${method}&refresh=true`,
    )) as [string, number, number][];
    return points.map(([, , value]) => value);
  }
  const sum = (numbers: readonly number[]): number => numbers.reduce((a, b) => a + b, 0);

  it('stores what the client sent, flushed, under metrics name|type of one resource', async () => {
    const result = spawnSync(PYTHON, [SENDER, String(statsdPort)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    // NOTE: two flushes (1 s apart) make sure the last datagram has been written.
    await sleep(2500);
    await waitForDrain(orzo.url, 60_000);
    const resource = (await request(
      orzo.url,
      'GET',
      `/v1/resource/generic/${resourceId}`,
    )) as ResourceJson;
    assert.equal(resource.creator, 'statsd');
    assert.deepEqual(Object.keys(resource.metrics).sort(), [
      'batched|c',
      'hits|c',
      'latency|ms',
      'temperature|g',
      'visitors|s',
    ]);
    assert.equal(sum(await values(resource, 'hits|c', 'sum')), 15);
    assert.equal(sum(await values(resource, 'batched|c', 'sum')), 5);
    // NOTE: the gauge ends at 53 whichever flush each change fell in.
    assert.equal(Math.max(...(await values(resource, 'temperature|g', 'max'))), 53);
    assert.equal(sum(await values(resource, 'latency|ms', 'count')), 3);
    assert.equal(Math.max(...(await values(resource, 'latency|ms', 'max'))), 30);
    assert.equal(Math.min(...(await values(resource, 'latency|ms', 'min'))), 7);
    assert.equal(Math.max(...(await values(resource, 'visitors|s', 'max'))), 2);
  });

  it("counts the listener's 17 messages (6 + 3 + 3 + 3 + 2) on the API's /metrics", async () => {
    const response = await fetch(`${orzo.url}/metrics`);
    const text = await response.text();
    assert.match(text, /orzo_feeder_messages_total\{feeder="statsd",transport="udp"\} 17/);
    assert.match(text, /orzo_feeder_measures_stored_total\{feeder="statsd"\} \d+/);
  });
});
