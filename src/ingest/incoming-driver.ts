/**
 * The contract every incoming backend implements: small, unbatched byte primitives. Encoding,
 * sack routing and the sack count cache live in the `Incoming` service on top.
 *
 * Guarantees every driver gives (checked by `test/ingest/incoming-driver.suite.ts`):
 * - a batch is visible to readers only once complete, and an `addBatches` that resolved is
 *   readable by every later `readBatches`;
 * - `deleteBatches` removes exactly the batches whose handles it is given; batches written after
 *   the read survive, and deleting the same handles twice is harmless;
 * - a metric is listed in its sack exactly while it has batches (where the backend can tell, not
 *   while only a write is in progress);
 * - where `listBatches` exists, it lists the same batches a read would return, and a read given
 *   them as `listed` returns exactly those still stored;
 * - an unreachable backend fails fast with `IncomingUnavailableError`.
 * Reads and deletes of one metric are meant to run under that metric's lock; concurrent writes
 * need no lock.
 */
import type { Sack } from './sack.ts';

/** Identifies one stored batch between a read and the matching delete; opaque to callers. */
export type BatchHandle = string & { readonly __brand: 'BatchHandle' };

/** A batch to store. */
export interface NewBatch {
  /** Lowercase dashed UUID. */
  readonly metricId: string;
  /** The metric's sack (see `sackNumberOfMetric`). */
  readonly sack: Sack;
  /** Encoded measures (see `measure-batch-codec.ts`). */
  readonly data: Uint8Array;
  /** How many measures `data` holds, kept beside it for backlog figures. */
  readonly measures: number;
}

/** A batch as read back. */
export interface StoredBatch {
  readonly handle: BatchHandle;
  readonly data: Uint8Array;
  /** How many measures the writer said `data` holds. */
  readonly measures: number;
}

/** Options of {@link IncomingDriver.readBatches}. */
export interface ReadBatchesOptions {
  /** Read at most this many batches (the oldest first where the backend knows the order). */
  readonly limit?: number;
  /**
   * Read only these of the metric's batches, as {@link IncomingDriver.listBatches} found them
   * before the caller took the metric's lock: those written since wait for a later read, and
   * those consumed since are skipped.
   */
  readonly listed?: readonly BatchHandle[];
}

/** Waiting work: metrics with batches, batches, and the measures they hold. */
export interface BacklogFigures {
  readonly metrics: number;
  readonly batches: number;
  readonly measures: number;
}

/** Waiting work of one sack. */
export interface SackBacklog extends BacklogFigures {
  readonly sack: number;
}

/** Waiting work of one metric. */
export interface MetricBacklog {
  readonly batches: number;
  readonly measures: number;
}

/** Waiting work in total, per sack (sacks with nothing waiting are left out) and per metric. */
export interface Backlog extends BacklogFigures {
  readonly sacks: readonly SackBacklog[];
  /** Per metric id; present only when asked for with `details`. */
  readonly details?: ReadonlyMap<string, MetricBacklog>;
}

/** Options of {@link IncomingDriver.backlog}. */
export interface BacklogOptions {
  /** Also report each waiting metric. @defaultValue `false` */
  readonly details?: boolean;
}

/**
 * Called with a sack number when new measures arrive in that sack; `undefined` when the backend
 * heard of new measures without learning their sack (file incoming, from another process).
 */
export type SackListener = (sack: number | undefined) => void;

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>;

/** An incoming backend. */
export interface IncomingDriver {
  /** The stored number of sacks, or `undefined` before `orzo upgrade`. */
  getSackCount(): Promise<number | undefined>;
  /** Stores the number of sacks and creates their layout; refuses a change while measures wait. */
  setSackCount(sacks: number): Promise<void>;
  /**
   * Stores the batches of one request (possibly for many metrics) and notifies their sacks. Each
   * batch is atomic; the set is too where the backend allows it (Redis), and otherwise a failure
   * may leave some of them stored, which a client's retry turns into harmless duplicates.
   */
  addBatches(batches: readonly NewBatch[]): Promise<void>;
  /** The ids of the metrics with batches waiting in a sack. */
  listMetrics(sack: Sack): Promise<string[]>;
  /**
   * The batches waiting in a sack, per metric, oldest first, for a caller about to read many of
   * its metrics (passing each its `listed` handles); absent where reading a metric costs no
   * listing of its sack.
   */
  readonly listBatches?: (sack: Sack) => Promise<Map<string, BatchHandle[]>>;
  /** The batches waiting for a metric; empty when there are none. */
  readBatches(sack: Sack, metricId: string, options?: ReadBatchesOptions): Promise<StoredBatch[]>;
  /** Deletes the batches of a metric that a read returned (all of them or a leading part). */
  deleteBatches(sack: Sack, metricId: string, handles: readonly BatchHandle[]): Promise<void>;
  /** What waits, given the number of sacks. */
  backlog(sacks: number, options?: BacklogOptions): Promise<Backlog>;
  /** Calls `onSack` whenever a sack receives measures; absent where the backend cannot notify. */
  readonly subscribe?: (onSack: SackListener) => Promise<Unsubscribe>;
  /** Releases what the driver itself opened (never the clients it was given). */
  close(): Promise<void>;
}
