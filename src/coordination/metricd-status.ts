/**
 * What metricd's reporter publishes about itself and its workers, and what `/v1/status` serves.
 * Timestamps are ISO 8601 strings so that the document can cross process boundaries as JSON.
 */

import type { OpsHealth } from '../optracker/index.ts';
import type { ReporterMap } from './redis/reporter-election.ts';

/** The backlog as the reporter last measured it. */
export interface BacklogStatus {
  readonly metrics: number;
  readonly batches: number;
  readonly measures: number;
}

/** A damaged stored object a worker met: where, when, and what it did about it. */
export interface DamagedObjectStatus {
  readonly metric: string;
  readonly object: string;
  /** The name its bytes were kept under. */
  readonly keptAs?: string;
  readonly detail: string;
  /** ISO time. */
  readonly at: string;
}

/** One worker as its reporter sees it. */
export interface WorkerStatus {
  /** `<host>.<reporter pid>.worker-<index>`: stable across the worker's restarts. */
  readonly name: string;
  readonly index: number;
  /** The current process; `null` while it is being restarted. */
  readonly pid: number | null;
  readonly alive: boolean;
  /** ISO time of the last heartbeat, `null` before the first. */
  readonly lastBeat: string | null;
  /** Metrics of the block it works on (0 when idle). */
  readonly currentBlock: number;
  readonly restarts: number;
  readonly blocksDone: number;
  /** Redis coordination: blocks it ran again after their first worker died (stalled jobs). */
  readonly blocksRerun?: number;
  readonly metricsProcessed: number;
  readonly metricsLocked: number;
  readonly measuresProcessed: number;
  readonly measuresDropped: number;
  /** Measures folded per second over the last few seconds. */
  readonly measuresPerSecond: number;
  readonly corrupt: number;
  /** The damaged stored objects it met lately, oldest first (absent from older reporters). */
  readonly damaged?: readonly DamagedObjectStatus[];
  readonly errors: number;
  /** Seconds it spent blocked on storage (absent from older reporters). */
  readonly ioWaitSeconds?: number;
  /** Bytes it wrote to storage (absent from older reporters). */
  readonly bytesWritten?: number;
  /** Its op tracker's health at the last heartbeat; `null` before the first. */
  readonly ops: OpsHealth | null;
}

/** Redis coordination: the shared queue of blocks, as the active reporter last counted it. */
export interface QueueStatus {
  readonly waiting: number;
  readonly active: number;
  /** Blocks whose worker died, put back by BullMQ's stalled-job check since this reporter took over. */
  readonly stalled: number;
  /** Blocks finished since this reporter took over. */
  readonly completed: number;
  /** Blocks that failed since this reporter took over (their metrics are listed again). */
  readonly failed: number;
}

/** The reporter's published document. */
export interface MetricdStatus {
  readonly reporter: {
    readonly name: string;
    readonly host: string;
    readonly pid: number;
    readonly startedAt: string;
    readonly updatedAt: string;
    readonly tickSeconds: number;
    /** Metrics per block handed out on the last tick. */
    readonly blockSize: number;
    readonly backlog: BacklogStatus;
    /** What each of its modules shows (the janitor's `metrics_expunged`, …), by module name. */
    readonly modules: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    /** The reporter's own op tracker (its modules' ops). */
    readonly ops: OpsHealth;
  };
  readonly workers: readonly WorkerStatus[];
  /** Redis coordination: which reporter is active, which are standbys. */
  readonly reporters?: ReporterMap;
  readonly queue?: QueueStatus;
}

/** Whether a document is too old to describe running processes. */
export function isStale(status: MetricdStatus, now: Date): boolean {
  const age = now.getTime() - Date.parse(status.reporter.updatedAt);
  // NOTE: a reporter publishes every tick; missing five in a row (or 10 s) means it is gone.
  return age > Math.max(10_000, status.reporter.tickSeconds * 5_000);
}
