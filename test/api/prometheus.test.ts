/**
 * `GET /metrics`: this process's ops and figures, and the engine as a status board written by the
 * test publishes it, in Prometheus' text exposition format, for anyone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  FileStatusBoard,
  type MetricdStatus,
  type WorkerStatus,
} from '../../src/coordination/index.ts';
import { startApi, type TestApi } from './harness.ts';
import { workerStatus } from '../support/metricd-status.ts';

/** The value of one sample, by its name and labels as exposed; `undefined` when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(api: TestApi): Promise<string> {
  const response = await api.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(response.statusCode, 200);
  return response.body;
}

function worker(index: number, figures: Partial<WorkerStatus>): WorkerStatus {
  return workerStatus(`vm.7099.worker-${index}`, { index, pid: 7154 + index, ...figures });
}

const HEALTH = {
  enabled: true,
  inFlight: 3,
  slowOps: 1,
  oldestSlowAgeSeconds: 31,
  oldestAgeSeconds: 31,
  complaintTimeSeconds: 30,
  untracked: 0,
};

function metricdStatus(updatedAt: Date): MetricdStatus {
  return {
    reporter: {
      name: 'vm.7099',
      host: 'vm',
      pid: 7099,
      startedAt: updatedAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
      tickSeconds: 1,
      blockSize: 4,
      backlog: { metrics: 3, batches: 5, measures: 120 },
      modules: {
        janitor: { metrics_expunged: 0 },
        subhealth: {
          groups: {
            metricd_workers: {
              enabled: true,
              instances: 4,
              suspects: 1,
              slow_instances: 1,
              findings: 7,
            },
            agent_hosts: {
              enabled: false,
              instances: 0,
              suspects: 0,
              slow_instances: 0,
              findings: 0,
            },
          },
        },
      },
      ops: { ...HEALTH, inFlight: 0, slowOps: 0, oldestSlowAgeSeconds: null },
    },
    workers: [
      worker(0, {
        measuresProcessed: 1200,
        metricsProcessed: 40,
        errors: 2,
        measuresPerSecond: 250.5,
        ioWaitSeconds: 12.5,
        bytesWritten: 4096,
        ops: HEALTH,
      }),
      worker(1, { alive: false, pid: null }),
    ],
  };
}

describe('GET /metrics', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-api-metrics-'));
  const board = new FileStatusBoard(dataDir);
  let clock = Date.UTC(2026, 10, 21, 10);
  let api: TestApi;

  before(async () => {
    api = await startApi({ statusBoard: board, now: () => new Date(clock) });
  });
  after(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers anyone, in Prometheus' text format, with the process figures prefixed", async () => {
    const response = await api.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    for (const name of ['orzo_process_cpu_seconds_total', 'orzo_nodejs_heap_size_used_bytes']) {
      assert.match(response.body, new RegExp(`^${name} `, 'm'));
    }
  });

  it('counts the requests in flight and times the finished ones by kind', async () => {
    const first = await scrape(api);
    assert.equal(sample(first, 'orzo_ops_in_flight{kind="request"}'), 1, 'the scrape itself');
    const count = sample(first, 'orzo_op_duration_seconds_count{kind="request"}') ?? 0;
    for (let i = 0; i < 3; i++) await api.app.inject({ method: 'GET', url: '/v1/metric' });
    const second = await scrape(api);
    assert.equal(
      sample(second, 'orzo_op_duration_seconds_count{kind="request"}'),
      count + 4,
      'three requests and the first scrape',
    );
    const bounds = [...second.matchAll(/^orzo_op_duration_seconds_bucket\{le="([^"]+)"/gm)];
    assert.deepEqual(
      bounds.map((match) => match[1]).filter((bound, i, all) => all.indexOf(bound) === i),
      [
        '0.001',
        '0.0025',
        '0.005',
        '0.01',
        '0.025',
        '0.05',
        '0.1',
        '0.25',
        '0.5',
        '1',
        '2.5',
      ].concat(['5', '10', '30', '60', '+Inf']),
    );
  });

  it('reports no slow op when none is', async () => {
    const text = await scrape(api);
    assert.equal(sample(text, 'orzo_slow_ops'), 0);
    assert.equal(sample(text, 'orzo_oldest_slow_op_age_seconds'), 0);
  });

  it('leaves the engine figures out while metricd has published nothing', async () => {
    const text = await scrape(api);
    assert.equal(sample(text, 'orzo_backlog_metrics'), undefined);
    assert.doesNotMatch(text, /^orzo_metricd_alive\{/m);
  });

  it('shows the backlog and each worker as metricd last published them', async () => {
    await board.publish(metricdStatus(new Date(clock - 500)));
    const text = await scrape(api);
    const expected: Record<string, number> = {
      orzo_backlog_metrics: 3,
      orzo_backlog_batches: 5,
      orzo_backlog_measures: 120,
      'orzo_metricd_measures_processed_total{worker="vm.7099.worker-0"}': 1200,
      'orzo_metricd_metrics_processed_total{worker="vm.7099.worker-0"}': 40,
      'orzo_metricd_errors_total{worker="vm.7099.worker-0"}': 2,
      'orzo_metricd_measures_per_second{worker="vm.7099.worker-0"}': 250.5,
      'orzo_metricd_ops_in_flight{worker="vm.7099.worker-0"}': 3,
      'orzo_metricd_slow_ops{worker="vm.7099.worker-0"}': 1,
      'orzo_metricd_alive{worker="vm.7099.worker-0"}': 1,
      'orzo_metricd_alive{worker="vm.7099.worker-1"}': 0,
      'orzo_metricd_io_wait_seconds_total{worker="vm.7099.worker-0"}': 12.5,
      'orzo_metricd_bytes_written_total{worker="vm.7099.worker-0"}': 4096,
      'orzo_subhealth_enabled{group="metricd_workers"}': 1,
      'orzo_subhealth_enabled{group="agent_hosts"}': 0,
      'orzo_subhealth_slow_instances{group="metricd_workers"}': 1,
      'orzo_subhealth_suspects{group="metricd_workers"}': 1,
      'orzo_subhealth_instances{group="metricd_workers"}': 4,
      'orzo_subhealth_findings_total{group="metricd_workers"}': 7,
      'orzo_metricd_measures_processed_total{worker="vm.7099.worker-1"}': 0,
    };
    for (const [series, value] of Object.entries(expected)) {
      assert.equal(sample(text, series), value, series);
    }
    assert.equal(
      sample(text, 'orzo_metricd_ops_in_flight{worker="vm.7099.worker-1"}'),
      undefined,
      'a worker that never beat has no op figures',
    );
  });

  it('leaves the engine figures out once the status is stale', async () => {
    clock += 60_000;
    const text = await scrape(api);
    assert.equal(sample(text, 'orzo_backlog_measures'), undefined);
    assert.doesNotMatch(text, /^orzo_metricd_/m);
    assert.doesNotMatch(text, /^orzo_subhealth_/m);
  });
});

describe('GET /metrics with tracking off', () => {
  let api: TestApi;

  before(async () => {
    api = await startApi({ ops: { enabled: false } });
  });
  after(() => api.close());

  it('leaves the op figures out rather than report zeros', async () => {
    await api.app.inject({ method: 'GET', url: '/v1/metric' });
    const text = await scrape(api);
    assert.doesNotMatch(text, /^orzo_(ops_in_flight|slow_ops|oldest_slow_op|op_duration)/m);
    assert.match(text, /^orzo_process_cpu_seconds_total /m);
  });
});
