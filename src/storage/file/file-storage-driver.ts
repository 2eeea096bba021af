/**
 * The file storage driver, the embedded default: one folder per metric holding one file per
 * object (layout in `file-storage-layout.ts`, object names in `object-name.ts`).
 *
 * Writes (`updateObjects`): make the metric folder if needed, write every new object to its own
 * `.tmp-<uuid>` in that folder, with `fsync` flush them, rename them over their objects and unlink
 * the removed objects, then rename the last `put` entry alone, and with `fsync` flush the metric
 * folder (and the folders above it when new). Both flushes are group commits shared with every
 * concurrent update of the process (`group-flush.ts`): a pass over many metrics costs two
 * flushes of the file system, not five of its own per metric. A crash leaves each object old or
 * new, never a mix; the leftover temporary files are never listed and
 * are swept by a later listing once stale. A missing object or metric folder reads and lists as
 * empty. `deleteMetric` removes the metric folder recursively. A fence key and token are ignored:
 * no lock service can check them atomically with a rename, so on files fencing is the service's
 * `assertHeld` check before each write (see `write-fence.ts`).
 *
 * Reads are synchronous. Objects are small files, read whole, and on the one machine this driver
 * serves they are nearly always in the page cache, where a synchronous read costs a few
 * microseconds; the asynchronous one costs four thread-pool round trips (open, fstat, read,
 * close), about ten times the CPU, which is most of what an API read of a short series spends.
 * The price, as for the SQLite indexer (better-sqlite3 is synchronous too), is that a read that
 * misses the cache holds the event loop for one disk access.
 */
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { mapLimit } from '../../async/map-limit.ts';
import {
  errorCode,
  listFolder,
  temporaryPath,
  unlinkIfPresent,
  writeNewFile,
} from '../../fs/fs-helpers.ts';
import { GroupFlush, type GroupFlushFigures } from '../../fs/group-flush.ts';
import { StorageUnavailableError } from '../errors.ts';
import { assertObjectUpdate, isObjectName } from '../object-name.ts';
import type { ObjectUpdate, StorageDriver, UpdateObjectsOptions } from '../storage-driver.ts';
import { FileStorageLayout, isTemporaryName } from './file-storage-layout.ts';

/** Options of {@link FileStorageDriver}. */
export interface FileStorageDriverOptions {
  /** The base folder (`DIR` of `file://DIR`); the driver uses `DIR/storage`. */
  readonly basePath: string;
  /** Flush every object and its folder before an update resolves. @defaultValue `true` */
  readonly fsync?: boolean;
  /** Age after which a temporary file is a crashed writer's leftover. @defaultValue 10 minutes */
  readonly staleTemporaryMs?: number;
  /** Groups of at most this many paths are flushed path by path (see `group-flush.ts`). */
  readonly flushPerPathUpTo?: number;
}

/** Filesystem calls kept in flight at once by one operation. */
const CONCURRENCY = 16;
const FULL_DISK_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** A new object written to its temporary file, waiting for its rename. */
interface PendingObject {
  readonly temporary: string;
  readonly path: string;
}

/** Objects as files under a base folder. */
export class FileStorageDriver implements StorageDriver {
  readonly #layout: FileStorageLayout;
  readonly #fsync: boolean;
  readonly #staleTemporaryMs: number;
  readonly #flush: GroupFlush;

  constructor(options: FileStorageDriverOptions) {
    this.#layout = new FileStorageLayout(options.basePath);
    this.#fsync = options.fsync ?? true;
    this.#staleTemporaryMs = options.staleTemporaryMs ?? 10 * 60 * 1000;
    this.#flush = new GroupFlush({
      // NOTE: the storage folder itself, so that a file system mounted there is the one flushed.
      root: this.#layout.root,
      ...(options.flushPerPathUpTo === undefined ? {} : { perPathUpTo: options.flushPerPathUpTo }),
    });
  }

  /** The flushes made so far (none without `fsync`). */
  get flushFigures(): GroupFlushFigures {
    return this.#flush.figures;
  }

  /** The path layout in use. */
  get layout(): FileStorageLayout {
    return this.#layout;
  }

  async init(): Promise<void> {
    await mkdir(this.#layout.root, { recursive: true });
  }

  readObjects(metricId: string, names: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    // NOTE: a throw in the executor rejects the promise, as it would in an async function.
    return new Promise((resolve) => {
      resolve(names.map((name) => readObject(this.#layout.objectPath(metricId, name))));
    });
  }

  async listObjects(metricId: string): Promise<string[]> {
    const folder = this.#layout.metricPath(metricId);
    const names = await listFolder(folder);
    await this.#sweepStaleTemporaries(folder, names.filter(isTemporaryName));
    return names.filter(isObjectName);
  }

  async updateObjects(
    metricId: string,
    update: ObjectUpdate,
    _options?: UpdateObjectsOptions,
  ): Promise<void> {
    assertObjectUpdate(update);
    if (update.put.size === 0 && update.remove.length === 0) return;
    const folder = this.#layout.metricPath(metricId);
    try {
      const created = update.put.size > 0 ? mkdirSync(folder, { recursive: true }) : undefined;
      const pending = await this.#writeTemporaries(metricId, update.put);
      if (this.#fsync) await this.#flushTemporaries(pending);
      const removed = update.remove.map((name) => this.#layout.objectPath(metricId, name));
      try {
        this.#commit(pending.slice(0, -1), removed);
        this.#commit(pending.slice(-1), []);
      } catch (error) {
        this.#discard(pending);
        throw error;
      }
      if (this.#fsync) await this.#flushFolders(folder, created);
    } catch (error) {
      if (FULL_DISK_CODES.has(errorCode(error) ?? '')) {
        throw new StorageUnavailableError('aggregate storage is full', { cause: error });
      }
      throw error;
    }
  }

  async deleteMetric(metricId: string): Promise<void> {
    const folder = this.#layout.metricPath(metricId);
    await rm(folder, { recursive: true, force: true });
    if (this.#fsync) await this.#flushFolders(dirname(folder), undefined);
  }

  close(): Promise<void> {
    // NOTE: nothing else is held open between calls.
    this.#flush.close();
    return Promise.resolve();
  }

  /** Writes every object to its temporary file; on any failure removes them all and throws. */
  async #writeTemporaries(
    metricId: string,
    put: ReadonlyMap<string, Uint8Array>,
  ): Promise<PendingObject[]> {
    const folder = this.#layout.metricPath(metricId);
    const outcomes = await mapLimit(
      [...put],
      CONCURRENCY,
      async ([name, data]): Promise<PendingObject | { error: unknown }> => {
        const temporary = temporaryPath(folder);
        try {
          await writeNewFile(temporary, data, false);
          return { temporary, path: this.#layout.objectPath(metricId, name) };
        } catch (error) {
          return { error };
        }
      },
    );
    const written = outcomes.filter((outcome): outcome is PendingObject => 'temporary' in outcome);
    const failed = outcomes.find((outcome) => 'error' in outcome);
    if (failed === undefined) return written;
    this.#discard(written);
    throw failed.error;
  }

  /** Flushes the new objects' bytes before their renames; on failure removes them and throws. */
  async #flushTemporaries(pending: readonly PendingObject[]): Promise<void> {
    try {
      await this.#flush.flush(pending.map(({ temporary }) => temporary));
    } catch (error) {
      this.#discard(pending);
      throw error;
    }
  }

  /**
   * Renames temporary files over their objects and unlinks removed objects; tries every step,
   * then throws the first failure.
   */
  #commit(pending: readonly PendingObject[], removed: readonly string[]): void {
    let failure: { error: unknown } | undefined;
    const attempt = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        failure ??= { error };
      }
    };
    for (const { temporary, path } of pending)
      attempt(() => {
        renameSync(temporary, path);
      });
    for (const path of removed)
      attempt(() => {
        unlinkIfPresent(path);
      });
    if (failure !== undefined) throw failure.error;
  }

  /** Removes temporary files that will not be renamed (those already renamed are gone). */
  #discard(pending: readonly PendingObject[]): void {
    for (const { temporary } of pending) {
      try {
        unlinkIfPresent(temporary);
      } catch {
        // NOTE: best effort: a leftover temporary file is swept by a later listing once stale.
      }
    }
  }

  /** Flushes a folder's entries, and those of the folders `mkdir` created above it. */
  async #flushFolders(folder: string, firstCreated: string | undefined): Promise<void> {
    const folders = [folder];
    if (firstCreated !== undefined) {
      // NOTE: a new folder's own entry lives in its parent, up to the first folder that existed.
      for (let path = folder; path !== dirname(firstCreated); path = dirname(path)) {
        folders.push(dirname(path));
      }
    }
    // NOTE: a folder just deleted (deleteMetric) has nothing to flush; the flush skips it.
    await this.#flush.flush(folders);
  }

  async #sweepStaleTemporaries(folder: string, names: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const name of names) {
      const path = join(folder, name);
      try {
        const { mtimeMs } = await stat(path);
        // NOTE: a write never takes this long: the writer crashed, and the file would otherwise
        // take disk space until the metric is deleted.
        if (now - mtimeMs > this.#staleTemporaryMs) unlinkIfPresent(path);
      } catch (error) {
        // NOTE: ENOENT: the writer renamed it meanwhile.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }
}

/** An object's bytes, or `undefined` when it does not exist. */
function readObject(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    // NOTE: ENOENT: no such object, or its metric was never written or was deleted.
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
