/**
 * Prometheus figures of the engine as metricd's reporter last published them (the status board):
 * the backlog and each worker's figures. They are left out when no status was published or the
 * last one is stale (no metricd runs), so that a dead metricd shows as absent series, never as a
 * frozen backlog. The `_total` figures are cumulative per worker slot since its reporter started,
 * across the worker's restarts; they are gauges because they restart with the reporter.
 */
import { Gauge, type Registry } from 'prom-client';

import {
  isStale,
  type BacklogStatus,
  type MetricdStatus,
  type StatusBoard,
  type WorkerStatus,
} from '../../coordination/index.ts';

/** Where the figures come from. */
export interface MetricdMetricsOptions {
  readonly statusBoard: StatusBoard;
  readonly now: () => Date;
}

const BACKLOG_GAUGES: readonly [string, string, (backlog: BacklogStatus) => number][] = [
  ['orzo_backlog_metrics', 'Metrics with measures waiting', (b) => b.metrics],
  ['orzo_backlog_batches', 'Batches of measures waiting', (b) => b.batches],
  ['orzo_backlog_measures', 'Measures waiting', (b) => b.measures],
];

const WORKER_GAUGES: readonly [string, string, (worker: WorkerStatus) => number | undefined][] = [
  [
    'orzo_metricd_measures_processed_total',
    'Measures folded by the worker slot since its reporter started',
    (w) => w.measuresProcessed,
  ],
  [
    'orzo_metricd_metrics_processed_total',
    'Metrics processed by the worker slot since its reporter started',
    (w) => w.metricsProcessed,
  ],
  [
    'orzo_metricd_errors_total',
    'Metrics that failed in the worker slot since its reporter started',
    (w) => w.errors,
  ],
  [
    'orzo_metricd_measures_per_second',
    'Measures folded per second over the last few seconds',
    (w) => w.measuresPerSecond,
  ],
  [
    'orzo_metricd_io_wait_seconds_total',
    'Seconds the worker slot spent blocked on storage since its reporter started',
    (w) => w.ioWaitSeconds,
  ],
  [
    'orzo_metricd_bytes_written_total',
    'Bytes the worker slot wrote to storage since its reporter started',
    (w) => w.bytesWritten,
  ],
  ['orzo_metricd_ops_in_flight', 'Ops in flight in the worker', (w) => w.ops?.inFlight],
  ['orzo_metricd_slow_ops', 'Slow ops in flight in the worker', (w) => w.ops?.slowOps],
  [
    'orzo_metricd_alive',
    'Whether the worker process is up (1) or not (0)',
    (w) => (w.alive ? 1 : 0),
  ],
];

/** Sub-health figures by group, from the detector module's status. */
const SUBHEALTH_GAUGES: readonly [string, string, string][] = [
  ['orzo_subhealth_enabled', 'Whether the group is checked (1) or not (0)', 'enabled'],
  ['orzo_subhealth_slow_instances', 'Instances found slow at the last check', 'slow_instances'],
  ['orzo_subhealth_suspects', 'Instances suspected at the last check', 'suspects'],
  ['orzo_subhealth_instances', 'Instances with figures at the last check', 'instances'],
  [
    'orzo_subhealth_findings_total',
    'Findings stored since the active reporter started detecting',
    'findings',
  ],
];

/**
 * Registers the backlog gauges, the per-worker gauges (label `worker`) and the sub-health
 * gauges (label `group`).
 */
export function registerMetricdMetrics(registry: Registry, options: MetricdMetricsOptions): void {
  const live = sharedRead(() => readLiveStatus(options));
  for (const [name, help, pick] of BACKLOG_GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const status = await live();
        if (status === undefined) this.remove();
        else this.set(pick(status.reporter.backlog));
      },
    });
  }
  for (const [name, help, pick] of WORKER_GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers: [registry],
      async collect() {
        const status = await live();
        this.reset();
        for (const worker of status?.workers ?? []) {
          const value = pick(worker);
          if (value !== undefined) this.set({ worker: worker.name }, value);
        }
      },
    });
  }
  registerSubhealthGauges(registry, live);
}

function registerSubhealthGauges(
  registry: Registry,
  live: () => Promise<MetricdStatus | undefined>,
): void {
  for (const [name, help, key] of SUBHEALTH_GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['group'],
      registers: [registry],
      async collect() {
        const status = await live();
        this.reset();
        const groups = status?.reporter.modules.subhealth?.groups;
        if (typeof groups !== 'object' || groups === null) return;
        for (const [group, figures] of Object.entries(groups as Record<string, unknown>)) {
          const value = (figures as Record<string, unknown> | null)?.[key];
          if (typeof value === 'number') this.set({ group }, value);
          else if (typeof value === 'boolean') this.set({ group }, value ? 1 : 0);
        }
      },
    });
  }
}

async function readLiveStatus(options: MetricdMetricsOptions): Promise<MetricdStatus | undefined> {
  try {
    const status = await options.statusBoard.read();
    return status === undefined || isStale(status, options.now()) ? undefined : status;
  } catch {
    // NOTE: an unreadable status is no status: the engine's figures are left out rather than
    // failing the scrape of this process's own.
    return undefined;
  }
}

/** One read shared by every gauge of a scrape: the registry starts all collects at once. */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
