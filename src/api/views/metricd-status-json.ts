/**
 * The `metricd` part of `/v1/status`: Gnocchi's `processors` (one per worker) and `statistics`
 * (per worker), from what the reporter last published, plus Orzo's `reporter` block (backlog as
 * the reporter measured it, block size). A status older than a few ticks means no metricd runs:
 * `processors` is then `null`, as Gnocchi answers when it cannot list its processors.
 */
import {
  isStale,
  type DamagedObjectStatus,
  type MetricdStatus,
  type ReporterInfo,
  type ReporterMap,
} from '../../coordination/index.ts';

/** The `metricd` object of `/v1/status`. */
export interface MetricdStatusJson {
  readonly processors: string[] | null;
  readonly statistics: Record<string, Record<string, unknown>>;
  readonly reporter?: Record<string, unknown>;
  readonly reporters?: Record<string, unknown>;
  readonly queue?: Record<string, unknown>;
}

/** Renders a published status (or its absence) in `/v1/status`'s shape. */
export function metricdStatusJson(status: MetricdStatus | undefined, now: Date): MetricdStatusJson {
  if (status === undefined) return { processors: null, statistics: {} };
  const stale = isStale(status, now);
  const { reporter } = status;
  const statistics = Object.fromEntries(
    status.workers.map((worker) => [
      worker.name,
      {
        alive: worker.alive && !stale,
        pid: worker.pid,
        'last beat': worker.lastBeat,
        'current block': worker.currentBlock,
        'blocks processed': worker.blocksDone,
        ...(worker.blocksRerun === undefined ? {} : { 'blocks re-run': worker.blocksRerun }),
        'processed metrics': worker.metricsProcessed,
        'locked metrics skipped': worker.metricsLocked,
        'processed measures': worker.measuresProcessed,
        'dropped measures': worker.measuresDropped,
        'measures per second': worker.measuresPerSecond,
        ...(worker.ioWaitSeconds === undefined
          ? {}
          : { 'io wait seconds': worker.ioWaitSeconds, 'bytes written': worker.bytesWritten ?? 0 }),
        corrupt: worker.corrupt,
        'damaged objects': (worker.damaged ?? []).map(damagedObjectJson),
        errors: worker.errors,
        restarts: worker.restarts,
        ops: worker.ops,
      },
    ]),
  );
  return {
    processors: stale ? null : status.workers.map((worker) => worker.name),
    statistics,
    reporter: {
      name: reporter.name,
      host: reporter.host,
      pid: reporter.pid,
      alive: !stale,
      started_at: reporter.startedAt,
      updated_at: reporter.updatedAt,
      tick_seconds: reporter.tickSeconds,
      block_size: reporter.blockSize,
      backlog: reporter.backlog,
      metrics_expunged: reporter.modules.janitor?.metrics_expunged ?? 0,
      modules: reporter.modules,
      ops: reporter.ops,
    },
    ...(status.reporters === undefined ? {} : { reporters: reportersJson(status.reporters) }),
    ...(status.queue === undefined ? {} : { queue: { ...status.queue } }),
  };
}

function reportersJson(map: ReporterMap): Record<string, unknown> {
  const info = (reporter: ReporterInfo): Record<string, unknown> => ({
    name: reporter.name,
    host: reporter.host,
    pid: reporter.pid,
    last_beacon: reporter.lastBeacon,
    ...(reporter.activeSince === undefined ? {} : { active_since: reporter.activeSince }),
  });
  return {
    epoch: map.epoch,
    active: map.active === null ? null : info(map.active),
    standbys: map.standbys.map(info),
  };
}

function damagedObjectJson(record: DamagedObjectStatus): Record<string, unknown> {
  return {
    metric: record.metric,
    object: record.object,
    kept_as: record.keptAs ?? null,
    detail: record.detail,
    at: record.at,
  };
}
