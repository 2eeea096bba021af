/**
 * The op tracker (Ceph's OpTracker): every API request and every metric processing is an op with
 * a timeline of events; ops that stay in flight too long are warned about, and finished ops are
 * kept in bounded histories for the dump commands.
 *
 * Usage, e.g. in a Fastify `onRequest` hook and a metricd worker:
 *
 * ```ts
 * const tracker = new OpTracker({ config: config.ops, logger });
 * tracker.start(); // the slow-op check; `await tracker.close()` stops it
 * const op = tracker.begin('process_metric', metricId);
 * op.mark('lock_acquired'); // O(1): one event record, no I/O
 * op.finish(); // marks `done`; later marks and finishes are ignored
 * ```
 *
 * Kinds: `request` (API), `process_metric` (metricd), `refresh` (the API's `refresh=true`);
 * events are free strings in snake case, e.g. `lock_wait`, `lock_acquired`, `written`.
 * `begin(kind, description, { nowarn: true })` (or `op.nowarn = true`) is for ops expected to
 * last: they are listed in flight and in the history, but never warned about nor counted slow,
 * nor used for the oldest ages, nor kept in the slow history.
 *
 * Tracking off (`enabled: false`, or `setEnabled(false)` at runtime): `begin` hands out one shared
 * op that records nothing, nothing is kept, the finish listeners are not called, and every dump
 * says so with `enabled: false` and no ops. Switching off forgets every tracked op.
 *
 * In flight, ops live in `shards` maps keyed by id (shard = id mod shards), so that begin and
 * finish touch one small map. A finished op goes into the histories as it finishes, and its
 * finish listeners are called then: a ring push and a heap offer (finishing never sorts), no task
 * scheduled. Windows are trimmed by dumps and checks. Histories (see `op-history.ts`):
 * recent and slowest, `historySize` (200) ops kept `historyDurationSeconds` (600) after they
 * finished; slow, `slowHistorySize` (20) ops of at least `slowThresholdSeconds` (10).
 *
 * Slow ops: every `checkIntervalSeconds` (1), the in-flight ops at least `complaintTimeSeconds`
 * (30) old are slow. Each is warned about through `logger.warn(fields, 'slow op')`, oldest first,
 * at most `logThreshold` (5) per check; an op is warned about again only when its age reaches the
 * next back-off point (complaint time × 1, 2, 4, 8…), so once per back-off period. An op left out
 * by the cap is warned about on a later check.
 *
 * Figures for Prometheus, without depending on it here:
 *
 * ```ts
 * tracker.onFinish((op, seconds) => opDuration.observe({ kind: op.kind }, seconds));
 * // in a Gauge's collect(): this.reset(); then for each [kind, n] of tracker.inFlightByKind()
 * ```
 */
import type { OpsConfig } from '../config/index.ts';
import { LiveOp, type OpHost } from './live-op.ts';
import { NOOP_OP } from './noop-op.ts';
import { OpHistory } from './op-history.ts';
import {
  matchesFilter,
  opJson,
  seconds,
  type BlockedOpsDump,
  type HistoricOpsDump,
  type OpFilter,
  type OpsDump,
  type SlowOpsDump,
} from './op-json.ts';
import type { Logger } from '../log/logger.ts';
import type { OpsHealth, SlowOpsCheck } from './ops-health.ts';
import { durationMs, type BeginOptions, type TrackedOp } from './tracked-op.ts';

/** What an {@link OpTracker} works with. */
export interface OpTrackerOptions {
  readonly config: OpsConfig;
  readonly logger: Pick<Logger, 'warn'>;
  /**
   * Milliseconds since the epoch; must not go backwards.
   * @defaultValue `performance.timeOrigin + performance.now()`
   */
  readonly now?: () => number;
}

/** Called once per finished op, with its duration in seconds. */
export type OpFinishListener = (op: TrackedOp, durationSeconds: number) => void;

/** The in-flight ops at one instant; summaries and details both come from one of these. */
interface InFlightSnapshot {
  readonly now: number;
  readonly inFlight: number;
  /** Slow ops, oldest first. */
  readonly slow: readonly LiveOp[];
  /** Initiation of the oldest op, or `Infinity`. */
  readonly oldestInitiatedAt: number;
}

// NOTE: performance.now() is monotonic and finer than a millisecond, which fast requests need.
// The origin is read once: its getter costs as much as now() itself, six times per request.
const TIME_ORIGIN = performance.timeOrigin;
const defaultNow = (): number => TIME_ORIGIN + performance.now();

const byArrival = (a: TrackedOp, b: TrackedOp): number =>
  a.initiatedAt - b.initiatedAt || a.id - b.id;

/** Tracks ops in flight, warns about slow ones, and keeps the finished ones for dumps. */
export class OpTracker {
  readonly #config: OpsConfig;
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #now: () => number;
  readonly #host: OpHost;
  readonly #shards: Map<number, LiveOp>[];
  readonly #history: OpHistory;
  readonly #listeners = new Set<OpFinishListener>();
  /** Ops in flight, counted as they begin and retire. */
  #live = 0;
  /** Ops not tracked because `maxInFlight` were in flight. */
  #untracked = 0;
  #enabled: boolean;
  #nextId = 1;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OpTrackerOptions) {
    const { config } = options;
    this.#config = config;
    this.#logger = options.logger;
    this.#now = options.now ?? defaultNow;
    this.#enabled = config.enabled;
    this.#host = {
      now: this.#now,
      retire: (op) => {
        this.#retire(op);
      },
    };
    this.#shards = Array.from({ length: config.shards }, () => new Map<number, LiveOp>());
    this.#history = new OpHistory({
      size: config.historySize,
      durationMs: config.historyDurationSeconds * 1000,
      slowSize: config.slowHistorySize,
      slowThresholdMs: config.slowThresholdSeconds * 1000,
    });
  }

  /** Whether ops are tracked; callers may skip building costly descriptions when not. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Switches tracking on or off; switching off forgets every op in flight and in history. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    if (enabled) return;
    for (const shard of this.#shards) shard.clear();
    this.#live = 0;
    this.#history.clear();
  }

  /** Starts an op, initiated now; with tracking off, returns the shared op that records nothing. */
  begin(kind: string, description: string, options?: BeginOptions): TrackedOp {
    if (!this.#enabled) return NOOP_OP;
    if (this.#live >= this.#config.maxInFlight) {
      this.#untracked += 1;
      return NOOP_OP;
    }
    this.#live += 1;
    const id = this.#nextId++;
    const op = new LiveOp(this.#host, id, kind, description);
    if (options?.nowarn === true) op.nowarn = true;
    this.#shardOf(id).set(id, op);
    return op;
  }

  /** Calls `listener` for every op that finishes from now on; returns the unsubscribe. */
  onFinish(listener: OpFinishListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** In-flight ops per kind, counted now (nothing is counted on the hot path). */
  inFlightByKind(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const shard of this.#shards) {
      for (const op of shard.values()) counts.set(op.kind, (counts.get(op.kind) ?? 0) + 1);
    }
    return counts;
  }

  /** Starts the periodic slow-op check; it does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.checkSlowOps();
    }, this.#config.checkIntervalSeconds * 1000);
    this.#timer.unref();
  }

  /** Stops the periodic check. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the periodic check; the tracker holds nothing else. */
  close(): Promise<void> {
    this.stop();
    return Promise.resolve();
  }

  /** Warns about slow ops as the periodic check does, and folds the finished ops in. */
  checkSlowOps(): SlowOpsCheck {
    if (!this.#enabled) return { slowOps: 0, warned: 0 };
    const { now, slow } = this.#snapshot();
    this.#history.prune(now);
    const complaintMs = this.#config.complaintTimeSeconds * 1000;
    let warned = 0;
    for (const op of slow) {
      if (warned >= this.#config.logThreshold) break;
      const ageMs = now - op.initiatedAt;
      if (ageMs < complaintMs * op.warnMultiplier) continue;
      this.#warn(op, now);
      warned += 1;
      while (complaintMs * op.warnMultiplier <= ageMs) op.warnMultiplier *= 2;
    }
    return { slowOps: slow.length, warned };
  }

  /** The in-flight summary; it agrees with {@link dumpBlocked} taken at the same instant. */
  health(): OpsHealth {
    const complaintTimeSeconds = this.#config.complaintTimeSeconds;
    if (!this.#enabled) {
      const none = { oldestSlowAgeSeconds: null, oldestAgeSeconds: null };
      return {
        enabled: false,
        inFlight: 0,
        slowOps: 0,
        ...none,
        complaintTimeSeconds,
        untracked: this.#untracked,
      };
    }
    const { now, inFlight, slow, oldestInitiatedAt } = this.#snapshot();
    const oldestSlow = slow[0];
    return {
      enabled: true,
      inFlight,
      slowOps: slow.length,
      oldestSlowAgeSeconds: oldestSlow === undefined ? null : seconds(now - oldestSlow.initiatedAt),
      oldestAgeSeconds: oldestInitiatedAt === Infinity ? null : seconds(now - oldestInitiatedAt),
      complaintTimeSeconds,
      untracked: this.#untracked,
    };
  }

  /** Every op in flight, oldest first (Ceph's `dump_ops_in_flight`). */
  dumpInFlight(filter?: OpFilter): OpsDump {
    if (!this.#enabled) return { enabled: false, num_ops: 0, ops: [] };
    const now = this.#now();
    const ops: LiveOp[] = [];
    for (const shard of this.#shards) {
      for (const op of shard.values()) if (matchesFilter(op, filter)) ops.push(op);
    }
    return this.#dump(ops.sort(byArrival), now, {});
  }

  /** The slow ops in flight, oldest first (Ceph's `dump_blocked_ops`). */
  dumpBlocked(filter?: OpFilter): BlockedOpsDump {
    const complaint_time = this.#config.complaintTimeSeconds;
    if (!this.#enabled) {
      return { enabled: false, num_ops: 0, complaint_time, oldest_age: null, ops: [] };
    }
    const { now, slow } = this.#snapshot();
    const listed = slow.filter((op) => matchesFilter(op, filter));
    const oldest = listed[0];
    const oldest_age = oldest === undefined ? null : seconds(now - oldest.initiatedAt);
    return this.#dump(listed, now, { complaint_time, oldest_age });
  }

  /** The most recent finished ops, by initiation (Ceph's `dump_historic_ops`). */
  dumpHistoric(filter?: OpFilter): HistoricOpsDump {
    return this.#dumpHistory((history) => history.recent().sort(byArrival), filter);
  }

  /** The slowest finished ops of the history window, slowest first. */
  dumpHistoricByDuration(filter?: OpFilter): HistoricOpsDump {
    return this.#dumpHistory((history) => history.slowest(), filter);
  }

  /** The slow-op history, by initiation (Ceph's `dump_historic_slow_ops`). */
  dumpHistoricSlow(filter?: OpFilter): SlowOpsDump {
    const bounds = {
      size: this.#config.slowHistorySize,
      threshold: this.#config.slowThresholdSeconds,
    };
    if (!this.#enabled) return { enabled: false, num_ops: 0, ...bounds, ops: [] };
    const now = this.#now();
    this.#history.prune(now);
    const ops = this.#history.slow().filter((op) => matchesFilter(op, filter));
    return this.#dump(ops.sort(byArrival), now, bounds);
  }

  #dumpHistory(
    view: (history: OpHistory) => TrackedOp[],
    filter: OpFilter | undefined,
  ): HistoricOpsDump {
    const bounds = {
      size: this.#config.historySize,
      duration: this.#config.historyDurationSeconds,
    };
    if (!this.#enabled) return { enabled: false, num_ops: 0, ...bounds, ops: [] };
    const now = this.#now();
    this.#history.prune(now);
    const ops = view(this.#history).filter((op) => matchesFilter(op, filter));
    return this.#dump(ops, now, bounds);
  }

  #dump<T extends object>(ops: readonly TrackedOp[], now: number, extra: T): OpsDump & T {
    return {
      enabled: true,
      num_ops: ops.length,
      ...extra,
      ops: ops.map((op) => opJson(op, now)),
    };
  }

  #snapshot(): InFlightSnapshot {
    const now = this.#now();
    const complaintMs = this.#config.complaintTimeSeconds * 1000;
    const slow: LiveOp[] = [];
    let inFlight = 0;
    let oldestInitiatedAt = Infinity;
    for (const shard of this.#shards) {
      inFlight += shard.size;
      for (const op of shard.values()) {
        if (op.nowarn) continue;
        oldestInitiatedAt = Math.min(oldestInitiatedAt, op.initiatedAt);
        if (now - op.initiatedAt >= complaintMs) slow.push(op);
      }
    }
    return { now, inFlight, slow: slow.sort(byArrival), oldestInitiatedAt };
  }

  #warn(op: LiveOp, now: number): void {
    const last = op.lastEvent;
    this.#logger.warn(
      {
        opId: op.id,
        kind: op.kind,
        description: op.description,
        initiatedAt: new Date(op.initiatedAt).toISOString(),
        ageSeconds: seconds(now - op.initiatedAt),
        lastEvent: last.name,
        sinceLastEventSeconds: seconds(now - last.time),
      },
      'slow op',
    );
  }

  #shardOf(id: number): Map<number, LiveOp> {
    return this.#shards[id % this.#shards.length] as Map<number, LiveOp>;
  }

  #retire(op: LiveOp): void {
    // NOTE: an op begun before tracking was switched off is no longer held, and is forgotten.
    if (!this.#shardOf(op.id).delete(op.id)) return;
    this.#live -= 1;
    this.#history.insert(op);
    if (this.#listeners.size > 0) this.#notify(op);
  }

  #notify(op: TrackedOp): void {
    const duration = seconds(durationMs(op));
    for (const listener of this.#listeners) {
      try {
        listener(op, duration);
      } catch (error) {
        this.#logger.warn({ err: error, opId: op.id }, 'op finish listener failed');
      }
    }
  }
}
