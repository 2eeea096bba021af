/**
 * The file storage driver, the embedded default: one pack file per metric holding its small
 * objects, and a folder of flat files for those the pack has no room for (layout in
 * `file-storage-layout.ts`, the pack in `object-pack.ts`, what goes where in `pack-plan.ts`).
 *
 * Why a pack: a storage pass over a new metric used to create a folder and three object files,
 * and rename three files over their objects at every later pass; creating or renaming a file
 * costs about 100 µs of CPU here, which was most of what a pass cost per metric. The pack makes
 * it one file per metric, rewritten whole (its bytes bounded by `PackLimits`).
 *
 * Writes (`updateObjects`): write the objects that go to files of their own to `.tmp-<uuid>`
 * files in the metric folder and the new pack to its temporary name, flush them, rename the
 * files over their objects and unlink removed ones, flush the folder, then rename the pack over
 * the old one and flush the shard folder. The pack holds the last object put (the raw buffer),
 * so its rename applies that object after every other step. Both flushes are group commits
 * shared with every concurrent update of the process (`group-flush.ts`), and an update that
 * writes no file of its own has nothing to flush before the pack's. A crash leaves each object
 * old or new, never a mix: the pack is the index of the metric's objects, and a file it does not
 * name is not read. Updates of one metric in one process run one after the other, as the pack
 * is read, changed and written back. A metric written before packs existed has only its folder:
 * it is read from there, and its next update writes a pack naming the files it keeps.
 *
 * `deleteMetric` removes the pack and the folder. A fence key and token are ignored: no lock
 * service can check them atomically with a rename, so on files fencing is the service's
 * `assertHeld` check before each write (see `write-fence.ts`).
 *
 * Reads are synchronous. Packs and objects are small files, read whole, and on the one machine
 * this driver serves they are nearly always in the page cache, where a synchronous read costs a
 * few microseconds; the asynchronous one costs four thread-pool round trips (open, fstat, read,
 * close), about ten times the CPU, which is most of what an API read of a short series spends.
 * The price, as for the SQLite indexer (better-sqlite3 is synchronous too), is that a read that
 * misses the cache holds the event loop for one disk access.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { mapLimit } from '../../async/map-limit.ts';
import {
  errorCode,
  listFolder,
  pathExists,
  removeFolderIfEmpty,
  temporaryPath,
  unlinkIfPresent,
  writeNewFile,
  writeNewFileSync,
} from '../../fs/fs-helpers.ts';
import { GroupFlush, type GroupFlushFigures } from '../../fs/group-flush.ts';
import { StorageUnavailableError } from '../errors.ts';
import { assertObjectName, assertObjectUpdate, isObjectName } from '../object-name.ts';
import type { ObjectUpdate, StorageDriver, UpdateObjectsOptions } from '../storage-driver.ts';
import { FileStorageLayout, isTemporaryName } from './file-storage-layout.ts';
import {
  CorruptPackError,
  IN_FOLDER,
  decodePack,
  encodePack,
  type PackEntries,
} from './object-pack.ts';
import { DEFAULT_PACK_LIMITS, type PackLimits, type PackPlan, planPack } from './pack-plan.ts';

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
  /** What the pack holds. @defaultValue `DEFAULT_PACK_LIMITS` */
  readonly packLimits?: PackLimits;
}

/** Filesystem calls kept in flight at once by one operation. */
const CONCURRENCY = 16;
const FULL_DISK_CODES = new Set(['ENOSPC', 'EDQUOT']);
/** Reads of a metric's pack by one `readObjects` while its files keep moving under it. */
const MAX_READ_ATTEMPTS = 4;

/** A new file written to its temporary name, waiting for its rename. */
interface PendingFile {
  readonly temporary: string;
  readonly path: string;
}

/** Objects in packs and files under a base folder. */
export class FileStorageDriver implements StorageDriver {
  readonly #layout: FileStorageLayout;
  readonly #fsync: boolean;
  readonly #staleTemporaryMs: number;
  readonly #packLimits: PackLimits;
  readonly #flush: GroupFlush;
  /** The last queued update of each metric being updated, so that the next one waits for it. */
  readonly #updating = new Map<string, Promise<void>>();

  constructor(options: FileStorageDriverOptions) {
    this.#layout = new FileStorageLayout(options.basePath);
    this.#fsync = options.fsync ?? true;
    this.#staleTemporaryMs = options.staleTemporaryMs ?? 10 * 60 * 1000;
    this.#packLimits = options.packLimits ?? DEFAULT_PACK_LIMITS;
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
      for (const name of names) assertObjectName(name);
      resolve(this.#readObjects(metricId, names));
    });
  }

  /**
   * Reads through the pack. A file the pack names may have been moved into a newer pack (and
   * unlinked) since the pack was read: then, if the pack has changed, it is read through again,
   * so that a reader racing a writer sees every object old or new, never missing.
   */
  #readObjects(metricId: string, names: readonly string[]): (Uint8Array | undefined)[] {
    const path = this.#layout.packPath(metricId);
    let bytes = readOptional(path);
    for (let attempt = 1; ; attempt++) {
      const packed = bytes === undefined ? undefined : this.#decodePack(metricId, bytes);
      // NOTE: a metric with neither pack nor folder (a new one) has none of its objects; asking
      // for the folder once spares a failed open per name.
      const folderless = packed === undefined && !pathExists(this.#layout.metricPath(metricId));
      const found: (Uint8Array | undefined)[] = [];
      let vanished = 0;
      for (const name of names) {
        const entry = packed === undefined ? IN_FOLDER : packed.get(name);
        const data =
          entry !== IN_FOLDER
            ? entry
            : folderless
              ? undefined
              : readOptional(this.#layout.objectPath(metricId, name));
        if (entry === IN_FOLDER && data === undefined) vanished++;
        found.push(data);
      }
      if (vanished === 0 || attempt === MAX_READ_ATTEMPTS) return found;
      const again = readOptional(path);
      // NOTE: the same pack: what is missing is missing (never written, or just removed).
      if (again === bytes || (again !== undefined && bytes !== undefined && equal(again, bytes))) {
        return found;
      }
      bytes = again;
    }
  }

  async listObjects(metricId: string): Promise<string[]> {
    const packed = this.#readPack(metricId);
    if (packed !== undefined) return [...packed.keys()];
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
    await this.#serialized(metricId, () => this.#update(metricId, update));
  }

  async deleteMetric(metricId: string): Promise<void> {
    await this.#serialized(metricId, async () => {
      const folder = this.#layout.metricPath(metricId);
      unlinkIfPresent(this.#layout.packPath(metricId));
      unlinkIfPresent(this.#layout.packTemporaryPath(metricId));
      await rm(folder, { recursive: true, force: true });
      // NOTE: a shard folder that does not exist has nothing to flush; the flush skips it.
      if (this.#fsync) await this.#flushFolders(dirname(folder), undefined);
    });
  }

  close(): Promise<void> {
    // NOTE: nothing else is held open between calls.
    this.#flush.close();
    return Promise.resolve();
  }

  /** Runs `step` once every earlier update of the metric in this process has settled. */
  async #serialized(metricId: string, step: () => Promise<void>): Promise<void> {
    const before = this.#updating.get(metricId);
    const mine = (before === undefined ? step() : before.then(step, step)).finally(() => {
      if (this.#updating.get(metricId) === guarded) this.#updating.delete(metricId);
    });
    // NOTE: the chain never rejects, so that one failed update does not fail the next.
    const guarded = mine.catch(() => undefined);
    this.#updating.set(metricId, guarded);
    await mine;
  }

  async #update(metricId: string, update: ObjectUpdate): Promise<void> {
    try {
      const packed = this.#readPack(metricId);
      const previous = packed ?? this.#folderEntries(metricId);
      const plan = planPack(previous, update, this.#packLimits);
      // NOTE: removals alone from a metric written before packs: no pack is needed for them.
      const makePack = packed !== undefined || update.put.size > 0;
      await this.#apply(metricId, previous, plan, makePack);
    } catch (error) {
      if (FULL_DISK_CODES.has(errorCode(error) ?? '')) {
        throw new StorageUnavailableError('aggregate storage is full', { cause: error });
      }
      throw error;
    }
  }

  async #apply(
    metricId: string,
    previous: PackEntries,
    plan: PackPlan,
    makePack: boolean,
  ): Promise<void> {
    const folder = this.#layout.metricPath(metricId);
    let folderCreated: string | undefined;
    let files: PendingFile[] = [];
    if (plan.files.size > 0) {
      folderCreated = mkdirSync(folder, { recursive: true });
      if (folderCreated === undefined) this.#sweepOrphans(folder, previous, plan);
      files = await this.#writeFiles(metricId, plan.files);
    }
    let pack: PendingFile | undefined;
    let shardCreated: string | undefined;
    try {
      if (makePack && plan.entries.size > 0) {
        ({ pending: pack, created: shardCreated } = this.#writePack(metricId, plan.entries));
      }
      if (this.#fsync)
        await this.#flushTemporaries([...files, ...(pack === undefined ? [] : [pack])]);
      this.#commit(
        files,
        plan.unlinkBefore.map((name) => this.#layout.objectPath(metricId, name)),
      );
    } catch (error) {
      this.#discard([...files, ...(pack === undefined ? [] : [pack])]);
      throw error;
    }
    if (this.#fsync && (files.length > 0 || plan.unlinkBefore.length > 0)) {
      await this.#flushFolders(folder, folderCreated);
    }
    if (!makePack) return;
    const packPath = this.#layout.packPath(metricId);
    if (pack === undefined) {
      unlinkIfPresent(packPath);
    } else {
      try {
        renameSync(pack.temporary, packPath);
      } catch (error) {
        this.#discard([pack]);
        throw error;
      }
    }
    if (this.#fsync) await this.#flushFolders(dirname(packPath), shardCreated);
    // NOTE: the pack names none of these any more; a crash before they go leaves files never read.
    for (const name of plan.unlinkAfter) unlinkIfPresent(this.#layout.objectPath(metricId, name));
    if (plan.unlinkAfter.length > 0 || plan.entries.size === 0) removeFolderIfEmpty(folder);
  }

  /** The entries of a metric's pack; `undefined` when it has none. */
  #readPack(metricId: string): Map<string, Uint8Array | typeof IN_FOLDER> | undefined {
    const bytes = readOptional(this.#layout.packPath(metricId));
    return bytes === undefined ? undefined : this.#decodePack(metricId, bytes);
  }

  #decodePack(metricId: string, bytes: Uint8Array): Map<string, Uint8Array | typeof IN_FOLDER> {
    try {
      return decodePack(bytes);
    } catch (error) {
      if (!(error instanceof CorruptPackError)) throw error;
      throw new CorruptPackError(`metric ${metricId}: ${error.message}`);
    }
  }

  /** The objects of a metric written before packs, all in its folder (none when it has none). */
  #folderEntries(metricId: string): PackEntries {
    const folder = this.#layout.metricPath(metricId);
    // NOTE: a new metric has no folder; asking first spares the thrown ENOENT.
    if (statSync(folder, { throwIfNoEntry: false }) === undefined) return new Map();
    const names = readdirSync(folder).filter(isObjectName);
    return new Map(names.map((name) => [name, IN_FOLDER]));
  }

  /**
   * Removes what crashed writers left in a folder the pack does not cover: object files it does
   * not name (renamed before a pack that never followed), and stale temporary files. Only the
   * metric's writer calls this, so a file it does not know of is never one being committed.
   */
  #sweepOrphans(folder: string, previous: PackEntries, plan: PackPlan): void {
    const now = Date.now();
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (isTemporaryName(name)) {
        const stats = statSync(path, { throwIfNoEntry: false });
        if (stats !== undefined && now - stats.mtimeMs > this.#staleTemporaryMs) {
          unlinkIfPresent(path);
        }
      } else if (
        isObjectName(name) &&
        previous.get(name) !== IN_FOLDER &&
        !plan.files.has(name) &&
        !plan.unlinkAfter.includes(name)
      ) {
        unlinkIfPresent(path);
      }
    }
  }

  /** Writes the new pack to its temporary name; returns it and the first folder made for it. */
  #writePack(
    metricId: string,
    entries: PackEntries,
  ): { pending: PendingFile; created: string | undefined } {
    const temporary = this.#layout.packTemporaryPath(metricId);
    const path = this.#layout.packPath(metricId);
    const bytes = encodePack(entries);
    try {
      writeNewFileSync(temporary, bytes);
      return { pending: { temporary, path }, created: undefined };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') {
        const created = mkdirSync(dirname(temporary), { recursive: true });
        writeNewFileSync(temporary, bytes);
        return { pending: { temporary, path }, created };
      }
      if (code !== 'EEXIST') throw error;
    }
    // NOTE: a crashed writer's leftover (replaced once stale), or a second writer of the metric
    // in another process that lost its lock: never write into a file someone may be renaming.
    const stats = statSync(temporary, { throwIfNoEntry: false });
    if (stats !== undefined && Date.now() - stats.mtimeMs > this.#staleTemporaryMs) {
      unlinkIfPresent(temporary);
      writeNewFileSync(temporary, bytes);
      return { pending: { temporary, path }, created: undefined };
    }
    const other = temporaryPath(dirname(temporary));
    writeNewFileSync(other, bytes);
    return { pending: { temporary: other, path }, created: undefined };
  }

  /** Writes objects to temporary files; on any failure removes them all and throws. */
  async #writeFiles(
    metricId: string,
    put: ReadonlyMap<string, Uint8Array>,
  ): Promise<PendingFile[]> {
    const folder = this.#layout.metricPath(metricId);
    const outcomes = await mapLimit(
      [...put],
      CONCURRENCY,
      async ([name, data]): Promise<PendingFile | { error: unknown }> => {
        const temporary = temporaryPath(folder);
        try {
          await writeNewFile(temporary, data, false);
          return { temporary, path: this.#layout.objectPath(metricId, name) };
        } catch (error) {
          return { error };
        }
      },
    );
    const written = outcomes.filter((outcome): outcome is PendingFile => 'temporary' in outcome);
    const failed = outcomes.find((outcome) => 'error' in outcome);
    if (failed === undefined) return written;
    this.#discard(written);
    throw failed.error;
  }

  /** Flushes new files' bytes before their renames. */
  async #flushTemporaries(pending: readonly PendingFile[]): Promise<void> {
    if (pending.length > 0) await this.#flush.flush(pending.map(({ temporary }) => temporary));
  }

  /**
   * Renames temporary files over their objects and unlinks removed objects; tries every step,
   * then throws the first failure.
   */
  #commit(pending: readonly PendingFile[], removed: readonly string[]): void {
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
  #discard(pending: readonly PendingFile[]): void {
    for (const { temporary } of pending) {
      try {
        unlinkIfPresent(temporary);
      } catch {
        // NOTE: best effort: a leftover temporary file is swept later once stale.
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

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/**
 * A file's bytes, or `undefined` when it does not exist. Absence is asked first (see
 * `pathExists`): a new metric's pass asks for several objects that do not exist yet.
 */
function readOptional(path: string): Uint8Array | undefined {
  if (!pathExists(path)) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    // NOTE: ENOENT: no such object or pack, or its metric was never written or was deleted.
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
