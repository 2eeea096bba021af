/**
 * The contract every storage backend implements: small byte primitives on the named objects of one
 * metric. Encoding, split computation and batching live in the `Storage` service on top.
 *
 * Guarantees every driver gives (checked by `test/storage/storage-driver.suite.ts`):
 * - an object is replaced atomically: a reader (or a crash) sees its old or its new bytes, never a
 *   mix; `updateObjects` resolves only once every write is durable where the driver promises it;
 * - within one `updateObjects`, the last entry of `put` is applied after every other put and
 *   delete, so that a crash never leaves it new while the others are old (the service puts the
 *   raw buffer last: a replay then recomputes the same splits from it);
 * - a missing object reads as `undefined`, and deleting one is harmless;
 * - `deleteMetric` removes every object of the metric and is idempotent.
 * Writes to one metric are meant to run under that metric's lock. A driver that can check a
 * fence key atomically with the write (Redis, on the server that holds the locks) applies a
 * fenced update only while the key holds the token, else throws `FencedWriteError` and writes
 * nothing; the others ignore the fence (see `write-fence.ts`).
 */
import type { FenceToken } from './write-fence.ts';

/**
 * Objects to write and to delete for one metric in one step. Names follow `object-name.ts`; a
 * name is in `put` or `remove`, never both.
 */
export interface ObjectUpdate {
  /** Object name → new bytes; the last entry is applied last. */
  readonly put: ReadonlyMap<string, Uint8Array>;
  /** Objects to delete. */
  readonly remove: readonly string[];
}

/**
 * Ties together the reads of one metric's objects and the update that follows them, under the
 * metric's lock: with the same scope, a driver may keep what its first read found (the file
 * driver, its pack) for the later reads and the update instead of reading it again. Passing one
 * promises that no one else writes the metric meanwhile; a new scope (`{}`) for each fold.
 */
export type ObjectScope = object;

/**
 * Ties together the reads of one metric's objects by a reader that holds no lock (an API read):
 * with the same snapshot, a driver may answer the later reads from what its first read found of
 * the metric's index (the file driver, its pack) instead of reading it again. Writers may update
 * the metric meanwhile; the reads then see it as the first one did, or newer for an object the
 * index did not hold itself and that moved since — never an object missing that was there. A new
 * snapshot (`{}`) for each reader.
 */
export type ObjectSnapshot = object;

/** Options of {@link StorageDriver.readObjects} and {@link StorageDriver.listObjects}. */
export interface ReadObjectsOptions {
  readonly scope?: ObjectScope;
  /** Ignored with a scope, which promises more. */
  readonly snapshot?: ObjectSnapshot;
}

/** Options of {@link StorageDriver.updateObjects}. */
export interface UpdateObjectsOptions {
  /** Apply the update only while `key` holds `token`, where the driver can check it atomically. */
  readonly fence?: FenceToken;
  /** The scope of the reads this update follows; ended by the update. */
  readonly scope?: ObjectScope;
}

/** A storage backend. */
export interface StorageDriver {
  /** Creates the backend's layout (`orzo upgrade`); idempotent. */
  init(): Promise<void>;
  /** Reads objects of one metric, aligned with `names`; `undefined` where one does not exist. */
  readObjects(
    metricId: string,
    names: readonly string[],
    options?: ReadObjectsOptions,
  ): Promise<(Uint8Array | undefined)[]>;
  /** The names of every object of one metric (empty when it has none), in no particular order. */
  listObjects(metricId: string, options?: ReadObjectsOptions): Promise<string[]>;
  /** Writes and deletes objects of one metric; each object atomically. */
  updateObjects(
    metricId: string,
    update: ObjectUpdate,
    options?: UpdateObjectsOptions,
  ): Promise<void>;
  /** Deletes every object of one metric. */
  deleteMetric(metricId: string): Promise<void>;
  /** Releases what the driver itself opened (never the clients it was given). */
  close(): Promise<void>;
}
