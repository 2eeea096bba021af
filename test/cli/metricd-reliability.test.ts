/**
 * metricd under attack, with real processes on one data folder: workers SIGKILLed at random moments
 * while they process (and once the whole metricd), then two metricd instances and the API's
 * `refresh` racing over the same metrics. After the drain every aggregate must equal the reference:
 * no measure lost, none counted twice (count and sum are compared exactly).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { gatherMetricdOps, type MetricdStatus } from '../../src/coordination/index.ts';
import type { OpsDump } from '../../src/optracker/index.ts';
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
  type TestPolicy,
} from '../support/aggregate-workload.ts';
import { mulberry32 } from '../support/mulberry32.ts';
import {
  launchMetricd,
  startOrzo,
  type MetricdChild,
  type OrzoProcess,
} from '../support/orzo-process.ts';

const METRICS = 20;
const POINTS = 300;
const START = 1_700_000_000;
/** Small blocks, one metric at a time, so that a kill often finds a worker mid-metric. */
const METRICD_ENV = {
  ORZO_METRICD_TICK_SECONDS: '0.1',
  ORZO_METRICD_MAX_BLOCK_SIZE: '2',
  ORZO_METRICD_METRIC_CONCURRENCY: '1',
};
/** The crash test's series are long: a back window of two days keeps every point accepted. */
const CRASH_POLICY: TestPolicy = { ...E2E_POLICY, name: 'crash', backWindow: 48 };
const CRASH_POINTS = 1_000;
const BUSY_KILLS = 3;

function workload(
  seed: number,
  metricIds: readonly string[],
  points = POINTS,
): Map<string, PostedMeasure[]> {
  const random = mulberry32(seed);
  return new Map(metricIds.map((id) => [id, makeSeries({ points, start: START, random })]));
}

/** Worker processes that, as their reporter last published, are in the middle of a block. */
function busyWorkerPids(dataDir: string): number[] {
  let status: MetricdStatus;
  try {
    status = JSON.parse(
      readFileSync(join(dataDir, 'metricd', 'status.json'), 'utf8'),
    ) as MetricdStatus;
  } catch {
    return [];
  }
  return status.workers.flatMap((worker) =>
    worker.pid !== null && worker.alive && worker.currentBlock > 0 ? [worker.pid] : [],
  );
}

async function backlog(url: string): Promise<number> {
  const status = (await request(url, 'GET', '/v1/status?details=false')) as {
    storage: { summary: { measures: number } };
  };
  return status.storage.summary.measures;
}

describe('metricd reliability', () => {
  let api: OrzoProcess;

  before(async () => {
    // NOTE: no fsync of incoming batches: power loss is not what these tests are about.
    api = await startOrzo('api', [], { env: { ORZO_INCOMING_FSYNC: 'false' } });
  });

  after(async () => {
    await api.stop();
  });

  it('loses and double-counts nothing when workers are SIGKILLed while processing', async () => {
    const metricIds = await createPolicyAndMetrics(api.url, CRASH_POLICY, METRICS);
    const series = workload(11, metricIds, CRASH_POINTS);
    // NOTE: one measure per metric per body: about a thousand batches per metric to fold, so
    // the drain lasts long enough to be interrupted many times.
    await postBodies(api.url, batchBodies(series, METRICS), 4);
    const random = mulberry32(12);
    const start = (): Promise<MetricdChild> =>
      launchMetricd({ dataDir: api.dataDir, flags: ['--workers', '2'], env: METRICD_ENV });
    let metricd = await start();
    let earlierOutput = '';
    // NOTE: the reporter logs the size of the block a dead worker held: > 0 means mid-block.
    const busyKills = (): number =>
      (earlierOutput + metricd.output()).match(/"blockLost":[1-9]/g)?.length ?? 0;
    let kills = 0;
    while (busyKills() < BUSY_KILLS && (await backlog(api.url)) > 0) {
      await sleep(50 + Math.floor(random() * 250));
      const pids = busyWorkerPids(api.dataDir);
      const victim = pids[Math.floor(random() * pids.length)];
      if (victim === undefined) continue;
      try {
        process.kill(victim, 'SIGKILL');
        kills++;
      } catch {
        // NOTE: that worker had just been replaced.
      }
      if (kills === 2) {
        // NOTE: once, the whole metricd: its workers see the reporter vanish and drain.
        await metricd.kill('SIGKILL');
        earlierOutput += metricd.output();
        metricd = await start();
      }
    }
    await sleep(200);
    assert.ok(busyKills() >= BUSY_KILLS, `only ${busyKills()} of ${kills} kills hit a block`);
    await waitForDrain(api.url, 120_000);
    await metricd.stop();
    await assertAggregatesMatch(api.url, CRASH_POLICY, series);
  });

  it('stays exact with two metricd on one data folder and refresh racing them', async () => {
    const policy = { ...E2E_POLICY, name: 'race' };
    const metricIds = await createPolicyAndMetrics(api.url, policy, METRICS);
    const series = workload(21, metricIds);
    const first = await launchMetricd({
      dataDir: api.dataDir,
      flags: ['--workers', '2'],
      env: METRICD_ENV,
    });
    const second = await launchMetricd({
      dataDir: api.dataDir,
      flags: ['--workers', '1'],
      env: METRICD_ENV,
    });
    const state = { posting: true };
    const posted = postBodies(api.url, batchBodies(series, 200), 2).finally(() => {
      state.posting = false;
    });
    const random = mulberry32(22);
    let refreshes = 0;
    while (state.posting) {
      const metricId = metricIds[Math.floor(random() * metricIds.length)]!;
      await request(api.url, 'GET', `/v1/metric/${metricId}/measures?refresh=true&granularity=60`);
      refreshes++;
    }
    await posted;
    await waitForDrain(api.url, 60_000);
    await Promise.all([first.stop(), second.stop()]);
    assert.ok(refreshes > 0);
    await assertAggregatesMatch(api.url, policy, series);
  });

  it('leaves no ghost in-flight op behind a worker killed mid-metric', async () => {
    const policy = { ...CRASH_POLICY, name: 'ghost' };
    const metricIds = await createPolicyAndMetrics(api.url, policy, METRICS);
    await postBodies(api.url, batchBodies(workload(31, metricIds, CRASH_POINTS), METRICS), 4);
    const metricd = await launchMetricd({
      dataDir: api.dataDir,
      flags: ['--workers', '1'],
      env: METRICD_ENV,
    });
    const inFlight = async (): Promise<Record<string, OpsDump>> =>
      (await gatherMetricdOps(
        api.dataDir,
        { type: 'ops', dump: 'in-flight', filter: { kind: 'process_metric' } },
        5_000,
      )) as Record<string, OpsDump>;
    const workerName = (names: string[]): string => names.find((n) => n.endsWith('.worker-0'))!;
    let before: OpsDump | undefined;
    while (before === undefined || before.num_ops === 0) {
      await sleep(50);
      const dumps = await inFlight();
      before = dumps[workerName(Object.keys(dumps))];
    }
    const events = before.ops[0]!.events.map(({ event }) => event);
    assert.deepEqual(events.slice(0, 2), ['initiated', 'queued']);
    const status = JSON.parse(
      readFileSync(join(api.dataDir, 'metricd', 'status.json'), 'utf8'),
    ) as MetricdStatus;
    const killedAt = Date.now();
    process.kill(status.workers[0]!.pid!, 'SIGKILL');
    let after: OpsDump | undefined;
    const deadline = Date.now() + 30_000;
    do {
      await sleep(100);
      const dumps = await inFlight();
      after = dumps[workerName(Object.keys(dumps))];
    } while ((after === undefined || 'error' in after) && Date.now() < deadline);
    assert.ok(after !== undefined && !('error' in after));
    for (const op of after.ops) assert.ok(Date.parse(op.initiated_at) > killedAt, op.description);
    await metricd.stop();
  });
});
