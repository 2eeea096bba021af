/**
 * How blocks reach workers: the one part of a reporter that differs between metricd's two modes.
 * Locally (`local/`) the reporter hands blocks to its own workers over IPC; under Redis
 * coordination (`cluster/`) the active reporter adds them to a shared BullMQ queue that the
 * workers of every host take from.
 */
import type { MetricdStatus } from '../../coordination/index.ts';

/** What the reporter lets its dispatcher ask of it. */
export interface DispatcherHooks {
  /** A scan soon (a burst of requests is gathered into one). */
  requestScan(): void;
}

/** What a scan found. */
export interface ScanResult {
  /**
   * Metrics with measures waiting, those in hand included; `undefined` when the scan listed
   * nothing (every worker busy, and metrics still listed to hand out).
   */
  readonly pendingMetrics: number | undefined;
  /** Metrics per block this scan handed out. */
  readonly blockSize: number;
}

/** Why a scan runs. */
export type ScanTrigger = 'tick' | 'request';

/** The dispatcher's part of the published status. */
export type DispatcherStatus = Pick<MetricdStatus, 'workers' | 'reporters' | 'queue'>;

/** A mode's way of handing blocks out. */
export interface BlockDispatcher {
  /** Starts listening for what it needs (finished blocks, queue events). */
  start(hooks: DispatcherHooks): Promise<void>;
  /** Every tick, active reporter or not, before anything else (e.g. reporting this metricd). */
  beforeTick?(): Promise<void>;
  /**
   * Lists the waiting metrics and hands blocks out (active reporter only); a tick may also
   * refresh what the dispatcher knows of the deployment (its worker slots, its queued blocks).
   */
  scan(trigger: ScanTrigger): Promise<ScanResult>;
  /** The reporter became active or standby: what belonged to the previous term is forgotten. */
  onRoleChange?(active: boolean): void;
  /** The workers (and, when scaled out, the reporter map and queue) for the status. */
  status(): Promise<DispatcherStatus>;
  /** Hands out nothing more; resolves once it has let go of what it holds. */
  stop(): Promise<void>;
}
