/**
 * Sub-health detection of metricd's workers, end to end: `orzo serve` with four workers, one of
 * them slowed by the documented fault (`metricd.faultWorkers`, `metricd.faultIoDelayMs`: each of
 * its storage calls waits 500 ms, as on a failing disk), under a steady feed of measures that the
 * healthy workers, faster, mostly take. Only the slow worker is flagged, after `consecutive`
 * checks; `orzo subhealth disable` stops new findings; a threshold set with `orzo subhealth set`
 * applies from the next check; the API's timeline and findings equal the seed's two SQL queries
 * run directly on the stored rows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Database from 'better-sqlite3';

import { createPolicyAndMetrics, request } from '../support/aggregate-workload.ts';
import { runOrzo, startOrzo, type OrzoProcess } from '../support/orzo-process.ts';
import { subhealthGroupStatus } from '../support/subhealth-status.ts';
import { waitUntil } from '../support/wait-until.ts';

const GROUP = 'metricd_workers';
const INTERVAL = 2;
const SLOW_WORKER = 1;

interface Timeline {
  readonly timeline: { check_time: string; slow_instances: number }[];
}
interface Findings {
  readonly findings: { instance_name: string; host_name: string; trigger_times: number }[];
}

describe('sub-health of the workers of orzo serve', () => {
  let orzo: OrzoProcess;
  let feeding = true;
  let feeder: Promise<void> | undefined;
  const errors: unknown[] = [];

  const subhealth = (...args: string[]): string =>
    runOrzo(['subhealth', ...args, '--data-dir', orzo.dataDir]);
  const timeline = async (start: number): Promise<Timeline['timeline']> =>
    (
      (await request(
        orzo.url,
        'GET',
        `/v1/subhealth/timeline?group=${GROUP}&start=${String(start / 1000)}`,
      )) as Timeline
    ).timeline;
  const until = (what: string, check: () => Promise<boolean>): Promise<void> =>
    waitUntil(what, check, {
      timeoutMs: 90_000,
      retryFailed: true,
      context: () => orzo.output().slice(-3000),
    });
  /** Waits until checks have run past `time` (ms) by `intervals` intervals. */
  const checksPast = async (time: number, intervals: number): Promise<void> => {
    await until('checks to run', async () => {
      const last = (await subhealthGroupStatus(orzo.url, GROUP))?.last_check;
      return typeof last === 'string' && Date.parse(last) >= time + intervals * INTERVAL * 1000;
    });
  };

  before(async () => {
    orzo = await startOrzo('serve', ['--workers', '4'], {
      env: {
        ORZO_METRICD_FAULT_WORKERS: String(SLOW_WORKER),
        ORZO_METRICD_FAULT_IO_DELAY_MS: '500',
        ORZO_METRICD_TICK_SECONDS: '0.2',
      },
    });
    const metrics = await createPolicyAndMetrics(
      orzo.url,
      {
        name: 'feed',
        backWindow: 0,
        methods: ['mean'],
        items: [{ granularity: 1, timespan: 3600 }],
      },
      300,
    );
    feeder = (async () => {
      let tick = 0;
      while (feeding) {
        const timestamp = new Date(Date.now()).toISOString();
        const body = Object.fromEntries(metrics.map((id) => [id, [{ timestamp, value: tick }]]));
        try {
          await request(orzo.url, 'POST', '/v1/batch/metrics/measures', body, 202);
        } catch (error) {
          errors.push(error);
        }
        tick++;
        await sleep(100);
      }
    })();
  });
  after(async () => {
    feeding = false;
    await feeder;
    await orzo.stop();
  });

  it('flags only the slow worker, after consecutive checks', async () => {
    const enabledAt = Date.now();
    const shown = subhealth(
      'set',
      GROUP,
      'enabled=true',
      `intervalSeconds=${String(INTERVAL)}`,
      // NOTE: the workers' series have 1 s points, processed within a tick or two of 0.2 s.
      'settleSeconds=2',
      'consecutive=3',
    );
    assert.match(shown, /metricd_workers: enabled, every 2 s \(settle 2 s\), mad rule/);
    await until('a finding', async () => (await timeline(enabledAt)).length > 0);
    const points = await timeline(enabledAt);
    const first = Date.parse(points[0]?.check_time ?? '');
    // NOTE: three suspect checks in a row; the first may see the change in part of its window.
    assert.ok(first > enabledAt + 2 * INTERVAL * 1000, `${String(first)} vs ${String(enabledAt)}`);
    await checksPast(first, 3);
    for (const point of await timeline(enabledAt)) {
      const { findings } = (await request(
        orzo.url,
        'GET',
        `/v1/subhealth/findings?group=${GROUP}&check_time=${encodeURIComponent(point.check_time)}`,
      )) as Findings;
      assert.deepEqual(
        findings.map((finding) => finding.instance_name.replace(/^.*\./, '')),
        [`worker-${String(SLOW_WORKER)}`],
      );
    }
    // NOTE: the status shows the last check only, which may be a suspect check not yet slow.
    assert.match(subhealth('status', GROUP), /last check .*: 4 instances/);
    assert.match(orzo.output(), /slow instance: it waits more than its share of the load explains/);
    assert.deepEqual(errors, []);
  });

  it("answers as the seed's two queries run on the stored rows", async () => {
    const db = new Database(join(orzo.dataDir, 'index.db'), { readonly: true });
    try {
      const points = await timeline(0);
      const seedTimeline = db
        .prepare(
          `select check_time, count(*) as slow_inst_num from subhealth_finding
           where cluster = ? and dry_run = 0 and check_time >= ? and check_time <= ?
           group by check_time`,
        )
        .all(GROUP, 0, Date.now() * 1000) as { check_time: number; slow_inst_num: number }[];
      assert.ok(points.length > 0);
      assert.deepEqual(
        points.map((point) => [Date.parse(point.check_time) * 1000, point.slow_instances]),
        seedTimeline.map((row) => [row.check_time, row.slow_inst_num]),
      );
      const checkTime = points.at(-1)?.check_time ?? '';
      const micros = Date.parse(checkTime) * 1000;
      const seedFindings = db
        .prepare(
          `select t1.check_time, t1.host_name, t1.inst_name, t2.trigger_times from
             (select check_time, host_name, inst_name from subhealth_finding
              where cluster = ? and dry_run = 0 and check_time = ?) as t1
           inner join
             (select inst_name, count(*) as trigger_times from subhealth_finding
              where cluster = ? and dry_run = 0 and check_time >= (? - 86400000000) and check_time <= ?
              group by inst_name) as t2
           on t1.inst_name = t2.inst_name`,
        )
        .all(GROUP, micros, GROUP, micros, micros) as {
        host_name: string;
        inst_name: string;
        trigger_times: number;
      }[];
      const { findings } = (await request(
        orzo.url,
        'GET',
        `/v1/subhealth/findings?group=${GROUP}&check_time=${encodeURIComponent(checkTime)}`,
      )) as Findings;
      assert.deepEqual(
        findings.map((finding) => [
          finding.host_name,
          finding.instance_name,
          finding.trigger_times,
        ]),
        seedFindings.map((row) => [row.host_name, row.inst_name, row.trigger_times]),
      );
    } finally {
      db.close();
    }
  });

  it('stops finding once disabled', async () => {
    assert.match(subhealth('disable', GROUP), /metricd_workers: disabled/);
    // NOTE: taken once the command has stored the change (starting it takes seconds under load).
    const disabledAt = Date.now();
    await sleep((3 * INTERVAL + 2) * 1000);
    // NOTE: a check under way when the change was read may still store its rows.
    const late = (await timeline(disabledAt)).filter(
      (point) => Date.parse(point.check_time) > disabledAt + 2 * INTERVAL * 1000,
    );
    assert.deepEqual(late, []);
  });

  it('applies a changed threshold from the next check', async () => {
    const enabledAt = Date.now();
    subhealth('enable', GROUP);
    await until('findings again', async () => (await timeline(enabledAt)).length > 0);
    // NOTE: no worker waits 1000 times what its load explains: the slow one is no longer a suspect.
    subhealth('set', GROUP, 'minExcess=1000');
    const changedAt = Date.now();
    await checksPast(changedAt, 5);
    const group = (await request(
      orzo.url,
      'POST',
      '/v1/search/resource/subhealth_group',
      { '=': { group: GROUP } },
      200,
    )) as { metrics: Record<string, string> }[];
    const suspects = group[0]?.metrics.suspects;
    assert.ok(suspects);
    const read = async (): Promise<[string, number, number][]> =>
      (await request(
        orzo.url,
        'GET',
        `/v1/metric/${suspects}/measures?aggregation=last&granularity=1&refresh=true&start=${String(changedAt / 1000)}`,
      )) as [string, number, number][];
    const after = (await read()).filter(
      ([time]) => Date.parse(time) >= changedAt + (INTERVAL + 1) * 1000,
    );
    assert.ok(after.length >= 3, JSON.stringify(after));
    assert.deepEqual([...new Set(after.map(([, , value]) => value))], [0]);
    const lastFindings = (await timeline(changedAt)).filter(
      (point) =>
        Date.parse(point.check_time) >= changedAt + (INTERVAL + 1) * 1000 + 3 * INTERVAL * 1000,
    );
    assert.deepEqual(lastFindings, []);
  });
});
