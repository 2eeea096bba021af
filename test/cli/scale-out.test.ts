/**
 * Orzo scaled out over real processes: three `orzo metricd --workers 2` and two `orzo api`, each
 * on a data folder of its own, sharing one private Redis (incoming measures, coordination and
 * aggregates) and a PostgreSQL indexer (see `cluster-topology.ts`), with coordination timings of
 * a few seconds. Measures are posted through both APIs in turn while the cluster is attacked: the
 * active reporter SIGKILLed and failed over by hand, a worker SIGKILLed in the middle of a block,
 * Redis itself restarted; and once more, the worker kill, with the aggregates in a file storage
 * folder that every process shares. After each drain every aggregate must equal the naive
 * reference: no measure lost, none counted twice (count and sum are compared exactly).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { mapLimit } from '../../src/async/map-limit.ts';
import {
  E2E_POLICY,
  assertAggregatesMatch,
  batchBodies,
  createPolicyAndMetrics,
  makeSeries,
  waitForDrain,
  type PostedMeasure,
  type TestPolicy,
} from '../support/aggregate-workload.ts';
import {
  SHORT_TIMINGS,
  startClusterTopology,
  type ClusterStatus,
  type ClusterTopology,
} from '../support/cluster-topology.ts';
import { startPosting, type Posting } from '../support/measure-poster.ts';
import { mulberry32 } from '../support/mulberry32.ts';

const START = 1_700_000_000;
const METRICDS = 3;
const WORKERS = 2;
const GRACE_SECONDS = Number(SHORT_TIMINGS.ORZO_METRICD_REPORTER_GRACE_SECONDS);
/** A generous margin over the grace for a standby to take over and publish (loaded machines). */
const TAKEOVER_SLACK_SECONDS = 3;
const DRAIN_TIMEOUT_MS = 90_000;
/** The re-run test's policy: few aggregates per metric, since it checks hundreds of metrics. */
const RERUN_POLICY: TestPolicy = {
  name: 'rerun',
  backWindow: 48,
  items: [
    { granularity: 60, timespan: 86_400 },
    { granularity: 3_600, timespan: 7 * 86_400 },
  ],
  methods: ['count', 'sum', 'max'],
};
const RERUN_METRICS = 300;
const RERUN_POINTS = 40;
const KILL_ATTEMPTS = 5;

function workload(
  seed: number,
  metricIds: readonly string[],
  points: number,
): Map<string, PostedMeasure[]> {
  const random = mulberry32(seed);
  return new Map(metricIds.map((id) => [id, makeSeries({ points, start: START, random })]));
}

function measureCount(series: ReadonlyMap<string, readonly PostedMeasure[]>): number {
  let count = 0;
  for (const measures of series.values()) count += measures.length;
  return count;
}

function workers(status: ClusterStatus) {
  return Object.values(status.metricd.statistics);
}

function sumOf(status: ClusterStatus, figure: 'processed measures' | 'blocks re-run'): number {
  return workers(status).reduce((total, worker) => total + (worker[figure] ?? 0), 0);
}

/** Every aggregate of every metric against the reference, reading through the APIs in turn. */
async function assertAllAggregates(
  urls: readonly string[],
  policy: TestPolicy,
  series: ReadonlyMap<string, readonly PostedMeasure[]>,
): Promise<void> {
  const entries = [...series];
  await mapLimit(entries, 8, async (entry) => {
    const url = urls[entries.indexOf(entry) % urls.length]!;
    await assertAggregatesMatch(url, policy, new Map([entry]));
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Posts a long workload of hundreds of metrics and SIGKILLs a worker of a running metricd while
 * it holds a block, until a block is seen re-run; then checks every aggregate. Returns a summary.
 */
async function killWorkerMidBlock(cluster: ClusterTopology, seed: number): Promise<string> {
  const urls = cluster.apis.map((api) => api.url);
  const metricIds = await createPolicyAndMetrics(urls[0]!, RERUN_POLICY, RERUN_METRICS);
  const series = workload(seed, metricIds, RERUN_POINTS);
  const baseline = await cluster.status();
  const rerunBefore = sumOf(baseline, 'blocks re-run');
  const stalledBefore = baseline.metricd.queue?.stalled ?? 0;
  const reran = (s: ClusterStatus): boolean =>
    sumOf(s, 'blocks re-run') > rerunBefore || (s.metricd.queue?.stalled ?? 0) > stalledBefore;
  // NOTE: about one measure per metric per body, each body making every metric wait again, so
  // that the workers stay busy for as long as the posting lasts.
  const posting = startPosting({
    urls,
    bodies: batchBodies(series, RERUN_METRICS),
    clients: 2,
    pauseMs: 50,
  });
  const random = mulberry32(seed);
  const kills: string[] = [];
  for (let attempt = 0; attempt < KILL_ATTEMPTS; attempt++) {
    const status = await cluster.untilStatus(
      'a worker in the middle of a block',
      (s) => busyWorkers(cluster, s).length > 0,
    );
    const busy = busyWorkers(cluster, status);
    const [name, worker] = busy[Math.floor(random() * busy.length)]!;
    try {
      process.kill(worker.pid!, 'SIGKILL');
      kills.push(`${name} (pid ${worker.pid}, block of ${worker['current block']})`);
    } catch {
      // NOTE: that worker had just been replaced.
      await sleep(100);
      continue;
    }
    // NOTE: the block comes back once BullMQ's lock (2 s) has run out and a stalled check has
    // run (every half lock); 10 s is ample for the re-run to be reported.
    try {
      await cluster.untilStatus('a re-run block', reran, { timeoutMs: 10_000 });
      break;
    } catch {
      // NOTE: the kill fell between two blocks; try again.
    }
  }
  await posting.done;
  await waitForDrain(urls[0]!, DRAIN_TIMEOUT_MS);
  // NOTE: the stalled block, put back, is run again and counted once it finishes.
  const status = await cluster.untilStatus(
    'a block counted as re-run',
    (s) => sumOf(s, 'blocks re-run') > rerunBefore,
    { timeoutMs: 20_000 },
  );
  await cluster.untilStatus('the killed worker restarted', (s) =>
    workers(s).some((w) => w.restarts >= 1 && w.alive),
  );
  await assertAllAggregates(urls, RERUN_POLICY, series);
  return (
    `${kills.length} kill(s): ${kills.join(', ')}; ` +
    `${sumOf(status, 'blocks re-run') - rerunBefore} block(s) re-run, ` +
    `${(status.metricd.queue?.stalled ?? 0) - stalledBefore} stalled`
  );
}

/**
 * Workers of running metricds in the middle of a block. NOTE: a SIGKILLed metricd's last report
 * stays in the status for a while (10 s), its dead workers still shown alive.
 */
function busyWorkers(cluster: ClusterTopology, status: ClusterStatus) {
  const running = new Set(cluster.metricds.filter((m) => !m.hasExited()).map((m) => String(m.pid)));
  return Object.entries(status.metricd.statistics).filter(
    ([name, w]) =>
      running.has(/\.(\d+)\.worker-\d+$/.exec(name)?.[1] ?? '') &&
      w.alive &&
      w['current block'] > 0 &&
      w.pid !== null,
  );
}

describe('scale-out: three metricd and two APIs on one Redis', { timeout: 240_000 }, () => {
  let cluster: ClusterTopology;
  let urls: string[];
  /** metricd processes the tests killed on purpose. */
  const killed = new Set<number>();

  before(async () => {
    cluster = await startClusterTopology({
      storage: 'redis',
      metricds: METRICDS,
      workers: WORKERS,
      apis: 2,
      // NOTE: one metric at a time per worker, so that a block lasts long enough to be caught.
      env: { ORZO_METRICD_METRIC_CONCURRENCY: '1' },
    });
    urls = cluster.apis.map((api) => api.url);
  });

  after(async () => {
    // NOTE: undefined when `before` failed; the topology then cleaned up after itself.
    await (cluster as ClusterTopology | undefined)?.dispose();
  });

  it('aggregates exactly what was posted through either API', (t) =>
    cluster.explainFailure(async () => {
      const policy = { ...E2E_POLICY, name: 'spread' };
      const metricIds = await createPolicyAndMetrics(urls[0]!, policy, 8);
      const series = workload(1, metricIds, 300);
      await cluster.untilStatus(
        'six live workers, an active reporter and two standbys',
        (s) =>
          s.metricd.processors?.length === METRICDS * WORKERS &&
          workers(s).every((w) => w.alive) &&
          s.metricd.reporters?.active != null &&
          s.metricd.reporters.standbys.length === METRICDS - 1,
      );
      await startPosting({ urls, bodies: batchBodies(series, 200), clients: 4 }).done;
      await waitForDrain(urls[0]!, DRAIN_TIMEOUT_MS);
      for (const url of urls) await assertAggregatesMatch(url, policy, series);
      const posted = measureCount(series);
      // NOTE: workers report their figures at their beats; wait until the last ones are in.
      const status = await cluster.untilStatus(
        'every processed measure reported',
        (s) => sumOf(s, 'processed measures') >= posted,
        { api: 1 },
      );
      assert.equal(sumOf(status, 'processed measures'), posted);
      assert.equal(status.metricd.processors?.length, METRICDS * WORKERS);
      assert.ok(workers(status).every((w) => w.alive && w.errors === 0));
      assert.notEqual(status.metricd.reporters?.active, null);
      assert.equal(status.metricd.reporters?.standbys.length, METRICDS - 1);
      t.diagnostic(`${posted} measures of ${series.size} metrics, through ${urls.length} APIs`);
    }));

  it('fails over when the active reporter is SIGKILLed, and on `orzo metricd fail`', (t) =>
    cluster.explainFailure(async () => {
      const policy = { ...E2E_POLICY, name: 'failover' };
      const metricIds = await createPolicyAndMetrics(urls[0]!, policy, 8);
      const series = workload(2, metricIds, 400);
      const bodies = batchBodies(series, 40);
      const before = await cluster.untilStatus(
        'an active reporter and two standbys',
        (s) =>
          s.metricd.reporters?.active != null &&
          s.metricd.reporters.standbys.length === METRICDS - 1,
      );
      const deposed = before.metricd.reporters!.active!;
      const posting = startPosting({ urls, bodies, clients: 2, pauseMs: 100 });
      await until('posting under way', () => posting.accepted() >= bodies.length / 4);
      const victim = cluster.metricds.find((metricd) => metricd.pid === deposed.pid);
      assert.ok(victim !== undefined, `no metricd with pid ${deposed.pid}`);
      const killedAt = performance.now();
      killed.add(victim.pid);
      await victim.kill('SIGKILL');
      const acceptedAtKill = posting.accepted();
      const taken = await cluster.untilStatus(
        'standby taking over',
        (s) =>
          s.metricd.reporters?.active != null &&
          s.metricd.reporters.active.name !== deposed.name &&
          s.metricd.reporters.epoch > before.metricd.reporters!.epoch,
        { api: 1 },
      );
      const takeoverMs = performance.now() - killedAt;
      assert.ok(
        takeoverMs < (GRACE_SECONDS + TAKEOVER_SLACK_SECONDS) * 1000,
        `takeover took ${Math.round(takeoverMs)} ms`,
      );
      const successor = taken.metricd.reporters!.active!;

      const output = cluster.runOrzo(['metricd', 'fail']);
      assert.match(output, new RegExp(`failed reporter ${successor.name};`));
      const failedOver = await cluster.untilStatus('another reporter after `metricd fail`', (s) => {
        const active = s.metricd.reporters?.active;
        return (
          active != null &&
          active.name !== successor.name &&
          active.name !== deposed.name &&
          s.metricd.reporters!.epoch > taken.metricd.reporters!.epoch
        );
      });

      await posting.done;
      assert.ok(posting.accepted() > acceptedAtKill, 'no body accepted after the kill');
      await waitForDrain(urls[1]!, DRAIN_TIMEOUT_MS);
      await assertAllAggregates(urls, policy, series);
      t.diagnostic(
        `takeover by ${successor.name} in ${Math.round(takeoverMs)} ms after the kill; ` +
          `metricd fail handed over to ${failedOver.metricd.reporters!.active!.name}`,
      );
    }));

  it('re-runs the block of a worker SIGKILLed in the middle of it', (t) =>
    cluster.explainFailure(async () => {
      t.diagnostic(await killWorkerMidBlock(cluster, 3));
    }));

  it('carries on by itself when Redis restarts mid-run', (t) =>
    cluster.explainFailure(async () => {
      const policy = { ...E2E_POLICY, name: 'outage' };
      const metricIds = await createPolicyAndMetrics(urls[0]!, policy, 8);
      const series = workload(4, metricIds, 400);
      const bodies = batchBodies(series, 40);
      const posting: Posting = startPosting({
        urls,
        bodies,
        clients: 2,
        retryUnavailable: true,
        pauseMs: 50,
      });
      await until('posting under way', () => posting.accepted() >= bodies.length / 3);
      // NOTE: a write that Redis applies as it shuts down may never be answered; the API then
      // answers 503 for measures it stored, and retrying them would count them twice (the
      // ingestion is at-least-once for a client that retries). So Redis is stopped at a moment
      // when no post is in flight; metricd keeps processing all along. Posts sent while Redis
      // is down are refused before they reach it, so their retries are exact.
      await posting.hold();
      await cluster.redis.stop('SIGTERM');
      posting.release();
      await until('posts refused while Redis is down', () => posting.refused() >= 2, 10_000);
      await sleep(1_000);
      const restartedAt = Date.now();
      await cluster.redis.start();
      await posting.done;
      await waitForDrain(urls[0]!, DRAIN_TIMEOUT_MS);
      const status = await cluster.untilStatus(
        'a reporter active again',
        (s) =>
          s.metricd.reporters?.active != null &&
          Date.parse(s.metricd.reporter?.updated_at ?? '') > restartedAt &&
          (s.metricd.processors?.length ?? 0) > 0 &&
          workers(s).every((w) => w.alive),
        { api: 1 },
      );
      await assertAllAggregates(urls, policy, series);
      const exited = [...cluster.apis, ...cluster.metricds].filter(
        (child) => child.hasExited() && !killed.has(child.pid),
      );
      assert.deepEqual(
        exited.map((child) => child.pid),
        [],
        'processes exited',
      );
      t.diagnostic(
        `${posting.refused()} posts refused while Redis was down, all accepted on retry; ` +
          `active reporter ${status.metricd.reporters!.active!.name}`,
      );
    }));

  it("re-runs a killed worker's block with a file storage folder every process shares", async (t) => {
    const shared = await startClusterTopology({
      storage: 'file',
      metricds: METRICDS,
      workers: WORKERS,
      apis: 2,
      env: { ORZO_METRICD_METRIC_CONCURRENCY: '1', ORZO_STORAGE_FSYNC: 'false' },
    });
    try {
      t.diagnostic(await shared.explainFailure(() => killWorkerMidBlock(shared, 5)));
    } finally {
      await shared.dispose();
    }
  });
});
