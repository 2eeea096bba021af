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
 * Writes (`updateObjects`): where objects go to files of their own, write them to `.tmp-<uuid>`
 * files in the metric folder, flush them, rename them over their objects, unlink removed ones
 * and flush the folder; then write the new pack over the metric's other pack slot, in place,
 * and flush it (`pack-slots.ts`). The pack holds the last object put (the raw buffer), so its
 * flush commits that object after every other step, and an update whose objects all fit in the
 * pack (the common one) costs one file write and one flush. The flushes are group commits shared
 * with every concurrent update of the process (`group-flush.ts`). A crash leaves each object old
 * or new, never a mix: the current pack slot is the index of the metric's objects, and a file it
 * does not name is not read. Updates of one metric in one process run one after the other, as
 * the pack is read, changed and written back. A metric written before packs existed has only
 * its folder: it is read from there, and its next update writes a pack naming the files it keeps.
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
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { mapLimit } from '../../async/map-limit.ts';
import {
  errorCode,
  listFolder,
  pathExists,
  readFileIfPresentSync,
  removeFolderIfEmpty,
  rewriteFileSync,
  temporaryPath,
  unlinkIfPresent,
  writeNewFile,
  writeNewFileSync,
} from '../../fs/fs-helpers.ts';
import { GroupFlush, type GroupFlushFigures } from '../../fs/group-flush.ts';
import { StorageUnavailableError } from '../errors.ts';
import { assertObjectName, assertObjectUpdate, isObjectName } from '../object-name.ts';
import type {
  ObjectScope,
  ObjectSnapshot,
  ObjectUpdate,
  ReadObjectsOptions,
  StorageDriver,
  UpdateObjectsOptions,
} from '../storage-driver.ts';
import { FileStorageLayout, type PackSlot, isTemporaryName } from './file-storage-layout.ts';
import { IN_FOLDER, encodePack, encodeRetiredPack, type PackEntries } from './object-pack.ts';
import {
  type CurrentPack,
  currentPack,
  type ReadPackSlotsOptions,
  type SlotsRead,
  nextSlot,
  readPackSlots,
  readSettledPackSlots,
} from './pack-slots.ts';
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
/** Reads of a metric's pack slots by one `readObjects` while its files keep moving under it. */
const MAX_READ_ATTEMPTS = 4;

/** A new file written to its temporary name, waiting for its rename. */
interface PendingFile {
  readonly temporary: string;
  readonly path: string;
}

/** What a scope's reads found of one metric (see `ObjectScope`). */
interface ScopedRead {
  readonly slots: SlotsRead;
  /** Whether the metric's folder was there, once a read asked (only packless metrics ask). */
  folder?: boolean;
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
  /** What each live scope's reads found, per metric (see `ObjectScope`). */
  readonly #scoped = new WeakMap<ObjectScope, Map<string, ScopedRead>>();
  /** The pack slots each live snapshot's reads last found, per metric (see `ObjectSnapshot`). */
  readonly #snapshots = new WeakMap<ObjectSnapshot, Map<string, SlotsRead>>();

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

  readObjects(
    metricId: string,
    names: readonly string[],
    options: ReadObjectsOptions = {},
  ): Promise<(Uint8Array | undefined)[]> {
    // NOTE: a throw in the executor rejects the promise, as it would in an async function.
    return new Promise((resolve) => {
      for (const name of names) assertObjectName(name);
      resolve(this.#readObjects(metricId, names, options));
    });
  }

  /**
   * Reads through the current pack. A file the pack names may have been moved into a newer pack
   * (and unlinked) since the pack was read: then, if the pack has changed, it is read through
   * again, so that a reader racing a writer sees every object old or new, never missing. Slots
   * that a writer in another process may be writing are read again too (`pack-slots.ts`).
   */
  #readObjects(
    metricId: string,
    names: readonly string[],
    { scope, snapshot }: ReadObjectsOptions,
  ): (Uint8Array | undefined)[] {
    const scoped = scope === undefined ? undefined : this.#scopedRead(metricId, scope);
    let read = scoped?.slots ?? this.#slots(metricId, snapshot);
    for (let attempt = 1; ; attempt++) {
      const packed = currentPack(read)?.entries;
      // NOTE: a metric with neither pack nor folder (a new one) has none of its objects; asking
      // for the folder once spares a failed open per name.
      const folderless = packed === undefined && !this.#hasFolder(metricId, scoped);
      const found: (Uint8Array | undefined)[] = [];
      let vanished = 0;
      for (const name of names) {
        const entry = packed === undefined ? IN_FOLDER : packed.get(name);
        const data =
          entry !== IN_FOLDER
            ? entry
            : folderless
              ? undefined
              : readFileIfPresentSync(this.#layout.objectPath(metricId, name));
        if (entry === IN_FOLDER && data === undefined) vanished++;
        found.push(data);
      }
      // NOTE: under a scope nobody else writes the metric, so nothing moved: what is missing is.
      if (vanished === 0 || scoped !== undefined || attempt === MAX_READ_ATTEMPTS) return found;
      const again = this.#settledSlots(metricId);
      // NOTE: the same pack: what is missing is missing (never written, or just removed).
      if (samePack(again.current, read.current)) return found;
      read = again;
      if (snapshot !== undefined) this.#snapshots.get(snapshot)?.set(metricId, again);
    }
  }

  /**
   * What the scope's first read of a metric found (see `ObjectScope`), else its pack slots read
   * now and kept for the scope.
   */
  #scopedRead(metricId: string, scope: ObjectScope): ScopedRead {
    let reads = this.#scoped.get(scope);
    if (reads === undefined) {
      reads = new Map();
      this.#scoped.set(scope, reads);
    }
    let read = reads.get(metricId);
    if (read === undefined) {
      // NOTE: a scope stands for the metric's lock: no writer is caught writing a slot.
      read = { slots: this.#settledSlots(metricId, { locked: true }) };
      reads.set(metricId, read);
    }
    return read;
  }

  /** Whether the metric has a folder, as its scope found it when one did, else asked now. */
  #hasFolder(metricId: string, scoped: ScopedRead | undefined): boolean {
    if (scoped === undefined) return pathExists(this.#layout.metricPath(metricId));
    scoped.folder ??= pathExists(this.#layout.metricPath(metricId));
    return scoped.folder;
  }

  /**
   * The pack slots the snapshot's first read of a metric found (or a later one, once an object
   * had moved), else read now, and kept for the snapshot.
   */
  #slots(metricId: string, snapshot: ObjectSnapshot | undefined): SlotsRead {
    if (snapshot === undefined) return this.#settledSlots(metricId);
    let reads = this.#snapshots.get(snapshot);
    if (reads === undefined) {
      reads = new Map();
      this.#snapshots.set(snapshot, reads);
    }
    let read = reads.get(metricId);
    if (read === undefined) {
      read = this.#settledSlots(metricId);
      reads.set(metricId, read);
    }
    return read;
  }

  /** Both pack slots of a metric, read until settled (see `readSettledPackSlots`). */
  #settledSlots(metricId: string, options?: ReadPackSlotsOptions): SlotsRead {
    return readSettledPackSlots(metricId, this.#layout.packSlotPaths(metricId), options);
  }

  async listObjects(metricId: string, options: ReadObjectsOptions = {}): Promise<string[]> {
    const { scope, snapshot } = options;
    const slots =
      scope === undefined
        ? this.#slots(metricId, snapshot)
        : this.#scopedRead(metricId, scope).slots;
    const packed = currentPack(slots)?.entries;
    if (packed !== undefined) return [...packed.keys()];
    const folder = this.#layout.metricPath(metricId);
    const names = await listFolder(folder);
    await this.#sweepStaleTemporaries(folder, names.filter(isTemporaryName));
    return names.filter(isObjectName);
  }

  async updateObjects(
    metricId: string,
    update: ObjectUpdate,
    options: UpdateObjectsOptions = {},
  ): Promise<void> {
    assertObjectUpdate(update);
    // NOTE: the update ends the scope: what its reads found is about to be replaced.
    const reads = options.scope && this.#scoped.get(options.scope);
    const scoped = reads?.get(metricId);
    reads?.delete(metricId);
    if (update.put.size === 0 && update.remove.length === 0) return;
    await this.#serialized(metricId, () => this.#update(metricId, update, scoped));
  }

  async deleteMetric(metricId: string): Promise<void> {
    await this.#serialized(metricId, async () => {
      const folder = this.#layout.metricPath(metricId);
      this.#unlinkPacks(metricId);
      unlinkIfPresent(this.#layout.legacyPackTemporaryPath(metricId));
      await rm(folder, { recursive: true, force: true });
      // NOTE: a shard folder that does not exist has nothing to flush; the flush skips it.
      if (this.#fsync) await this.#flush.flush([dirname(folder)]);
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

  /** Applies an update on top of what its scope read (see `ObjectScope`), else read now. */
  async #update(metricId: string, update: ObjectUpdate, scoped?: ScopedRead): Promise<void> {
    try {
      const slots = scoped?.slots ?? this.#readSlots(metricId);
      const current = currentPack(slots);
      // NOTE: a folder the scope found missing is still missing: only this update makes one.
      const previous =
        current?.entries ?? (scoped?.folder === false ? new Map() : this.#folderEntries(metricId));
      const plan = planPack(previous, update, this.#packLimits);
      // NOTE: removals alone from a metric written before packs: no pack is needed for them.
      const makePack = current !== undefined || update.put.size > 0;
      await this.#apply(metricId, slots, previous, plan, makePack);
    } catch (error) {
      if (FULL_DISK_CODES.has(errorCode(error) ?? '')) {
        throw new StorageUnavailableError('aggregate storage is full', { cause: error });
      }
      throw error;
    }
  }

  async #apply(
    metricId: string,
    slots: SlotsRead,
    previous: PackEntries,
    plan: PackPlan,
    makePack: boolean,
  ): Promise<void> {
    const folder = this.#layout.metricPath(metricId);
    if (plan.files.size > 0 || plan.unlinkBefore.length > 0) {
      await this.#applyFiles(metricId, previous, plan);
    }
    if (!makePack) return;
    if (plan.entries.size === 0) {
      this.#unlinkPacks(metricId);
      if (this.#fsync) await this.#flush.flush([this.#layout.shardPath(metricId)]);
    } else {
      const written = this.#writePack(metricId, slots, plan.entries);
      if (this.#fsync) await this.#flush.flush(written.flush);
      // NOTE: once the new pack is on disk the old one is not needed; unflushed, since a crash
      // that loses this leaves an older whole pack, which the newer one outranks.
      const other = written.slot === 0 ? 1 : 0;
      if (slots.bytes[other] !== undefined) {
        rewriteFileSync(
          this.#layout.packPath(metricId, other),
          encodeRetiredPack(written.generation),
        );
      }
    }
    // NOTE: the pack names none of these any more; a crash before they go leaves files never read.
    for (const name of plan.unlinkAfter) unlinkIfPresent(this.#layout.objectPath(metricId, name));
    if (plan.unlinkAfter.length > 0 || plan.entries.size === 0) removeFolderIfEmpty(folder);
  }

  /**
   * Commits the objects kept as files before the pack that names them: writes them to temporary
   * files, flushes them, renames them over their objects, unlinks those removed first, and
   * flushes the folder.
   */
  async #applyFiles(metricId: string, previous: PackEntries, plan: PackPlan): Promise<void> {
    const folder = this.#layout.metricPath(metricId);
    let folderCreated: string | undefined;
    let files: PendingFile[] = [];
    if (plan.files.size > 0) {
      folderCreated = mkdirSync(folder, { recursive: true });
      if (folderCreated === undefined) this.#sweepOrphans(folder, previous, plan);
      files = await this.#writeFiles(metricId, plan.files);
    }
    try {
      if (this.#fsync && files.length > 0) {
        await this.#flush.flush(files.map(({ temporary }) => temporary));
      }
      this.#commit(
        files,
        plan.unlinkBefore.map((name) => this.#layout.objectPath(metricId, name)),
      );
    } catch (error) {
      this.#discard(files);
      throw error;
    }
    if (this.#fsync) await this.#flush.flush(foldersToFlush(folder, folderCreated));
  }

  /** Both pack slots of a metric, read once (see `pack-slots.ts`). */
  #readSlots(metricId: string): SlotsRead {
    return readPackSlots(metricId, this.#layout.packSlotPaths(metricId));
  }

  #unlinkPacks(metricId: string): void {
    // NOTE: slot 0 last: a metric without it has no slot 1 (see `pack-slots.ts`).
    unlinkIfPresent(this.#layout.packPath(metricId, 1));
    unlinkIfPresent(this.#layout.packPath(metricId, 0));
  }

  /** The objects of a metric written before packs, all in its folder (none when it has none). */
  #folderEntries(metricId: string): PackEntries {
    const folder = this.#layout.metricPath(metricId);
    // NOTE: a new metric has no folder; asking first spares the thrown ENOENT.
    if (!pathExists(folder)) return new Map();
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

  /**
   * Writes the next pack over the slot not holding the current one, in place (or as a new file);
   * returns the slot, the pack's generation and what its flush must cover: the file, and the
   * folders made or added to for it.
   */
  #writePack(
    metricId: string,
    { current, bytes: held, sizes }: SlotsRead,
    entries: PackEntries,
  ): { slot: PackSlot; generation: number; flush: string[] } {
    const slot = nextSlot(current);
    const generation = (current?.generation ?? 0) + 1;
    const path = this.#layout.packPath(metricId, slot);
    const bytes = encodePack(entries, generation);
    const written = (flush: string[]) => ({ slot, generation, flush });
    // NOTE: a slot found missing is made without trying to open it first: a failed open throws.
    if (held[slot] !== undefined && rewriteFileSync(path, bytes, sizes?.[slot])) {
      return written([path]);
    }
    const shard = dirname(path);
    try {
      writeNewFileSync(path, bytes);
      return written([path, shard]);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') {
        const created = mkdirSync(shard, { recursive: true });
        writeNewFileSync(path, bytes);
        return written([path, ...foldersToFlush(shard, created)]);
      }
      // NOTE: made meanwhile by a writer of the metric in another process that lost its lock;
      // the slot's checksums tell whichever write lands last, or a mix of both, for what it is.
      if (code !== 'EEXIST' || !rewriteFileSync(path, bytes)) throw error;
      return written([path, shard]);
    }
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

/** A folder, and the folders above it up to the parent of the first one `mkdir` made. */
function foldersToFlush(folder: string, firstCreated: string | undefined): string[] {
  const folders = [folder];
  if (firstCreated !== undefined) {
    // NOTE: a new folder's own entry lives in its parent, up to the first folder that existed.
    for (let path = folder; path !== dirname(firstCreated); path = dirname(path)) {
      folders.push(dirname(path));
    }
  }
  return folders;
}

function samePack(a: CurrentPack | undefined, b: CurrentPack | undefined): boolean {
  return a === b || (a?.slot === b?.slot && a?.generation === b?.generation);
}
