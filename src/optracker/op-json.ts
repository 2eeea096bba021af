/**
 * The JSON shapes of the op dumps, named as Ceph's admin commands name them (snake case). Every
 * time is ISO 8601 with milliseconds; every age and duration is in seconds, to the microsecond.
 *
 * ```json
 * {
 *   "enabled": true, "num_ops": 1, "size": 200, "duration": 600,
 *   "ops": [{
 *     "id": 7, "kind": "request", "description": "GET /v1/metric",
 *     "initiated_at": "2024-05-01T12:00:00.000Z", "age": 1.5, "duration": 0.25,
 *     "events": [
 *       { "time": "2024-05-01T12:00:00.000Z", "event": "initiated",
 *         "elapsed": 0, "since_previous": 0 },
 *       { "time": "2024-05-01T12:00:00.250Z", "event": "done",
 *         "elapsed": 0.25, "since_previous": 0.25 }
 *     ]
 *   }]
 * }
 * ```
 *
 * `duration` is present only on finished ops. With tracking off, every dump is
 * `{ "enabled": false, "num_ops": 0, "ops": [] }` plus its bounds.
 */
import type { TrackedOp } from './tracked-op.ts';

/** One event of a dumped op. */
export interface OpEventJson {
  readonly time: string;
  readonly event: string;
  /** Seconds since the op was initiated. */
  readonly elapsed: number;
  /** Seconds since the event before; `0` for the first. */
  readonly since_previous: number;
}

/** One dumped op. */
export interface OpJson {
  readonly id: number;
  readonly kind: string;
  readonly description: string;
  readonly initiated_at: string;
  /** Seconds since the op was initiated. */
  readonly age: number;
  /** Seconds from initiated to done; only on finished ops. */
  readonly duration?: number;
  readonly events: readonly OpEventJson[];
}

/** What every dump holds. */
export interface OpsDump {
  /** `false` when tracking is off: then nothing is tracked and `ops` is empty. */
  readonly enabled: boolean;
  readonly num_ops: number;
  readonly ops: readonly OpJson[];
}

/** The in-flight ops that are slow (Ceph's `dump_blocked_ops`). */
export interface BlockedOpsDump extends OpsDump {
  /** Seconds in flight from which an op is slow. */
  readonly complaint_time: number;
  /** Age of the oldest listed op, or `null` when none is. */
  readonly oldest_age: number | null;
}

/** A dump of the history or of its slowest ops. */
export interface HistoricOpsDump extends OpsDump {
  /** Most ops kept. */
  readonly size: number;
  /** Seconds an op is kept after it finished. */
  readonly duration: number;
}

/** A dump of the slow-op history. */
export interface SlowOpsDump extends OpsDump {
  /** Most ops kept. */
  readonly size: number;
  /** Seconds from which a finished op counts as slow. */
  readonly threshold: number;
}

/** Which ops a dump lists; an op must match every given field. */
export interface OpFilter {
  /** Exact kind, e.g. `process_metric`. */
  readonly kind?: string;
  /** A substring of the description, e.g. a metric id. */
  readonly description?: string;
}

/** Milliseconds as seconds, to the microsecond, so that sums of dumped figures stay readable. */
export function seconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}

/** Whether `op` passes `filter`. */
export function matchesFilter(op: TrackedOp, filter: OpFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.kind !== undefined && op.kind !== filter.kind) return false;
  return filter.description === undefined || op.description.includes(filter.description);
}

/** `op` as seen at `now` (ms since the epoch). */
export function opJson(op: TrackedOp, now: number): OpJson {
  let previous = op.initiatedAt;
  const events = op.events.map((event): OpEventJson => {
    const json = {
      time: new Date(event.time).toISOString(),
      event: event.name,
      elapsed: seconds(event.time - op.initiatedAt),
      since_previous: seconds(event.time - previous),
    };
    previous = event.time;
    return json;
  });
  return {
    id: op.id,
    kind: op.kind,
    description: op.description,
    initiated_at: new Date(op.initiatedAt).toISOString(),
    age: seconds(now - op.initiatedAt),
    ...(op.finishedAt === undefined ? {} : { duration: seconds(op.finishedAt - op.initiatedAt) }),
    events,
  };
}
