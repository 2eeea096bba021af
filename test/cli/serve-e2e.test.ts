/**
 * The whole path on a real `orzo serve` (API + metricd with two worker processes): random series
 * posted through the batch endpoint, drained by metricd, read back through `GET …/measures` and
 * compared, for every granularity × method, with the naive reference. Run on both storage drivers.
 * Also: late measures inside and outside the back window, expiry by timespan, and deletion.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';

import {
  E2E_POLICY,
  assertAggregatesMatch,
  batchBodies,
  createPolicyAndMetrics,
  makeSeries,
  postBodies,
  request,
  waitForDrain,
  type PostedMeasure,
} from '../support/aggregate-workload.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import { startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { SHARED_REDIS_URL, deleteKeys, randomPrefix } from '../support/redis.ts';
import { isStored } from '../support/stored-file-objects.ts';

/** The `metricd` part of `/v1/status`. */
interface WorkerFigures {
  processors: string[] | null;
  statistics: Record<string, { alive: boolean; errors: number; 'processed measures': number }>;
  reporter?: { alive: boolean };
}

function processedMeasures(metricd: WorkerFigures): number {
  return Object.values(metricd.statistics).reduce((t, w) => t + w['processed measures'], 0);
}

const METRICS = 12;
const POINTS = 400;
const START = 1_700_000_000;
const FAST_METRICD = { ORZO_METRICD_TICK_SECONDS: '0.2', ORZO_METRICD_JANITOR_SECONDS: '0.5' };
const DEFAULT_SEMI_SPACE_MB = 32;
const SET_SEMI_SPACE_MB = 24;

for (const driver of ['file', 'redis'] as const) {
  describe(`orzo serve end to end, ${driver} storage`, () => {
    const prefix = randomPrefix();
    const redis = driver === 'redis' ? new Redis(SHARED_REDIS_URL) : undefined;
    let orzo: OrzoProcess;
    let metricIds: string[];
    const series = new Map<string, PostedMeasure[]>();

    before(async () => {
      const flags =
        driver === 'redis'
          ? ['--storage', `${SHARED_REDIS_URL}/?prefix=${encodeURIComponent(prefix)}`]
          : [];
      // NOTE: one run takes the default young generation, the other sets one.
      const env =
        driver === 'redis'
          ? { ...FAST_METRICD, ORZO_METRICD_WORKER_SEMI_SPACE_MB: String(SET_SEMI_SPACE_MB) }
          : FAST_METRICD;
      orzo = await startOrzo('serve', ['--workers', '2', ...flags], { env });
      metricIds = await createPolicyAndMetrics(orzo.url, E2E_POLICY, METRICS);
      const random = mulberry32(driver === 'file' ? 1 : 2);
      for (const id of metricIds)
        series.set(id, makeSeries({ points: POINTS, start: START, random }));
    });

    after(async () => {
      await orzo.stop();
      if (redis !== undefined) {
        await deleteKeys(redis, prefix);
        redis.disconnect();
      }
    });

    it('aggregates every measure exactly once, as the reference does', async () => {
      await postBodies(orzo.url, batchBodies(series, 1_000), 4);
      await waitForDrain(orzo.url, 60_000);
      await assertAggregatesMatch(orzo.url, E2E_POLICY, series);
    });

    it('reports both workers and what they processed in /v1/status', async () => {
      const posted = [...series.values()].reduce((total, measures) => total + measures.length, 0);
      let metricd: WorkerFigures | undefined;
      const deadline = Date.now() + 10_000;
      do {
        await sleep(200);
        metricd = ((await request(orzo.url, 'GET', '/v1/status')) as { metricd: WorkerFigures })
          .metricd;
      } while (processedMeasures(metricd) < posted && Date.now() < deadline);
      const { processors } = metricd;
      assert.ok(processors !== null);
      assert.equal(processors.length, 2);
      assert.equal(processedMeasures(metricd), posted);
      for (const name of processors) {
        assert.equal(metricd.statistics[name]!.alive, true);
        assert.equal(metricd.statistics[name]!.errors, 0);
      }
      assert.equal(metricd.reporter?.alive, true);
    });

    it('starts its workers with young-generation semi-spaces of metricd.workerSemiSpaceMb', async () => {
      const { metricd } = (await request(orzo.url, 'GET', '/v1/status?details=false')) as {
        metricd: { statistics: Record<string, { pid: number | null }> };
      };
      const pids = Object.values(metricd.statistics).map(({ pid }) => pid);
      assert.equal(pids.length, 2);
      const expected = driver === 'redis' ? SET_SEMI_SPACE_MB : DEFAULT_SEMI_SPACE_MB;
      for (const pid of pids) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        assert.deepEqual(
          argv.filter((arg) => arg.startsWith('--max-semi-space-size')),
          [`--max-semi-space-size=${expected}`],
        );
      }
    });

    it('folds late measures inside the back window and drops older ones', async () => {
      const metricId = metricIds[0]!;
      const inside = { timestamp: START - 3_600, value: 7 };
      const outside = { timestamp: START - 30 * 3_600, value: 9 };
      await request(orzo.url, 'POST', `/v1/metric/${metricId}/measures`, [inside, outside], 202);
      await waitForDrain(orzo.url, 30_000);
      series.get(metricId)!.push(inside);
      await assertAggregatesMatch(
        orzo.url,
        E2E_POLICY,
        new Map([[metricId, series.get(metricId)!]]),
      );
    });

    it('reads right after posting with refresh=true', async () => {
      const metricId = metricIds[1]!;
      const measures = series.get(metricId)!;
      const newest = Math.max(...measures.map((m) => m.timestamp));
      const next = { timestamp: newest + 30, value: 1_234 };
      await request(orzo.url, 'POST', `/v1/metric/${metricId}/measures`, [next], 202);
      measures.push(next);
      const triples = (await request(
        orzo.url,
        'GET',
        `/v1/metric/${metricId}/measures?granularity=60&aggregation=last&refresh=true`,
      )) as [string, number, number][];
      assert.equal(triples.at(-1)?.[2], 1_234);
      await waitForDrain(orzo.url, 30_000);
      await assertAggregatesMatch(orzo.url, E2E_POLICY, new Map([[metricId, measures]]));
    });

    it('expunges a deleted metric: measures, storage, then the indexer row', async () => {
      const metricId = metricIds[2]!;
      await request(orzo.url, 'DELETE', `/v1/metric/${metricId}`, undefined, 204);
      await request(orzo.url, 'GET', `/v1/metric/${metricId}`, undefined, 404);
      const stored = async (): Promise<boolean> =>
        redis === undefined
          ? isStored(orzo.dataDir, metricId)
          : (await redis.exists(`${prefix}storage:${metricId}`)) === 1;
      assert.equal(await stored(), true);
      const deadline = Date.now() + 20_000;
      while ((await stored()) && Date.now() < deadline) await sleep(100);
      assert.equal(await stored(), false);
    });
  });
}
