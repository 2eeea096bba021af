/**
 * Damaged files under a running `orzo serve`: a raw buffer overwritten with garbage is kept
 * aside, the aggregates it fed stay right when new measures arrive, `/v1/status` names it; a
 * damaged bundle makes a read say which points it lacks.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { request, waitForDrain } from '../support/aggregate-workload.ts';
import { startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { overwriteStoredObject, storedObjects } from '../support/stored-file-objects.ts';

const FAST_METRICD = { ORZO_METRICD_TICK_SECONDS: '0.2', ORZO_METRICD_JANITOR_SECONDS: '0.5' };
const ADMIN = `Basic ${Buffer.from('admin:').toString('base64')}`;

interface DamagedJson {
  metric: string;
  object: string;
  kept_as: string | null;
  detail: string;
}

/** The names of a metric's stored objects that `pattern` matches. */
function storedNames(dataDir: string, metricId: string, pattern: RegExp): string[] {
  return [...storedObjects(dataDir, metricId).keys()].filter((name) => pattern.test(name));
}

describe('damaged stored files under orzo serve', () => {
  let orzo: OrzoProcess;
  let metricId: string;
  const policy = `damage-${randomUUID().slice(0, 8)}`;

  const post = (measures: [string, number][]) =>
    request(
      orzo.url,
      'POST',
      `/v1/metric/${metricId}/measures`,
      measures.map(([timestamp, value]) => ({ timestamp, value })),
      202,
    );
  const read = (granularity: number) =>
    request(
      orzo.url,
      'GET',
      `/v1/metric/${metricId}/measures?aggregation=sum&granularity=${granularity}`,
    );

  before(async () => {
    orzo = await startOrzo('serve', ['--workers', '1'], { env: FAST_METRICD });
    await request(orzo.url, 'POST', '/v1/archive_policy', {
      name: policy,
      aggregation_methods: ['sum', 'count'],
      definition: [
        { granularity: '1s', timespan: '1 hour' },
        { granularity: '1m', timespan: '1 day' },
      ],
    });
    metricId = (
      (await request(orzo.url, 'POST', '/v1/metric', { archive_policy_name: policy })) as {
        id: string;
      }
    ).id;
    await post([
      ['2026-01-01T00:00:00Z', 1],
      ['2026-01-01T00:00:01Z', 2],
    ]);
    await waitForDrain(orzo.url, 60_000);
  });

  after(async () => {
    await orzo.stop();
  });

  it('keeps a garbage raw buffer aside, leaves the minute it fed alone and says so', async () => {
    assert.deepEqual(storedNames(orzo.dataDir, metricId, /^raw$/), ['raw']);
    overwriteStoredObject(orzo.dataDir, metricId, 'raw', Buffer.from('not a series at all'));
    await post([
      ['2026-01-01T00:00:01Z', 50],
      ['2026-01-01T00:00:02Z', 10],
    ]);
    await waitForDrain(orzo.url, 60_000);
    assert.deepEqual(await read(60), [['2026-01-01T00:00:00+00:00', 60, 3]]);
    assert.deepEqual(await read(1), [
      ['2026-01-01T00:00:00+00:00', 1, 1],
      ['2026-01-01T00:00:01+00:00', 1, 2],
      ['2026-01-01T00:00:02+00:00', 1, 10],
    ]);
    const [kept] = storedNames(orzo.dataDir, metricId, /^quarantine\.raw\./);
    assert.equal(
      storedObjects(orzo.dataDir, metricId).get(kept!)?.toString('utf8'),
      'not a series at all',
    );

    let damaged: DamagedJson[] = [];
    for (let tries = 0; tries < 100 && damaged.length === 0; tries++) {
      const status = (await request(orzo.url, 'GET', '/v1/status')) as {
        metricd: { statistics: Record<string, { 'damaged objects': DamagedJson[] }> };
      };
      damaged = Object.values(status.metricd.statistics).flatMap((w) => w['damaged objects']);
      if (damaged.length === 0) await sleep(100);
    }
    assert.equal(damaged.length, 1);
    const [record] = damaged as [DamagedJson];
    assert.equal(record.metric, metricId);
    assert.equal(record.object, 'raw');
    assert.ok(kept?.endsWith(record.kept_as ?? 'missing'));
    assert.match(record.detail, /measures older than 2026-01-01T00:00:02.000Z are dropped/);
    assert.match(orzo.output(), /damaged stored object kept aside/);
  });

  it('answers a read of a damaged bundle with what it could read and a Warning', async () => {
    const [bundle] = storedNames(orzo.dataDir, metricId, /^agg_60000000_/);
    assert.ok(bundle !== undefined);
    const bytes = storedObjects(orzo.dataDir, metricId).get(bundle)!;
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    overwriteStoredObject(orzo.dataDir, metricId, bundle, bytes);
    const response = await fetch(
      `${orzo.url}/v1/metric/${metricId}/measures?aggregation=sum&granularity=60`,
      { headers: { authorization: ADMIN } },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), []);
    const warning = response.headers.get('warning') ?? '';
    assert.match(warning, /^199 orzo "Stored aggregates failed to decode/);
    assert.ok(warning.includes(`${metricId}/${bundle}`), warning);
    const healthy = await fetch(
      `${orzo.url}/v1/metric/${metricId}/measures?aggregation=sum&granularity=1`,
      { headers: { authorization: ADMIN } },
    );
    assert.equal(healthy.headers.get('warning'), null);
  });
});
