/**
 * Flushes shared by the concurrent writes of one process to one file system: group commit with
 * the whole file system as the unit.
 *
 * A flush of a small file costs about a millisecond of disk wait, and the disk completes about a
 * thousand of them per second whatever the parallelism; a storage pass that flushes three objects
 * and a folder or two per metric is bound by that. `syncfs(2)` makes everything written to the
 * file system durable in one call, in about the time of ten single flushes idle and 0.4 s for
 * 30,000 new files, so a group of many paths is flushed with it (`file-system-sync.ts`).
 *
 * Every `flush` joins the next group: one that begins after the call, so that what the caller
 * wrote before it is covered. A group of at most `perPathUpTo` paths flushes them one by one
 * (cheaper than `syncfs` when few); larger groups, one `syncfs`. Where `sync -f` is missing or
 * fails to start (not Linux, no coreutils), groups flush path by path.
 */
import { FileSystemFlushUnavailableError, FileSystemSync } from './file-system-sync.ts';
import { flushIfPresent } from './fs-helpers.ts';

/** Options of {@link GroupFlush}. */
export interface GroupFlushOptions {
  /** A folder of the file system the paths are on: what `syncfs` is given. */
  readonly root: string;
  /** Groups of at most this many distinct paths are flushed path by path. @defaultValue 12 */
  readonly perPathUpTo?: number;
  /**
   * Makes the whole file system durable; throws `FileSystemFlushUnavailableError` where it
   * cannot. For tests. @defaultValue `sync -f root` through `FileSystemSync`
   */
  readonly syncFileSystem?: (root: string) => Promise<void>;
}

/** Counts of what a {@link GroupFlush} did. */
export interface GroupFlushFigures {
  /** Calls to `flush`. */
  readonly requests: number;
  /** Groups flushed: one flush of the file system, or of a group's paths one by one. */
  readonly groups: number;
  /** Groups flushed with one `syncfs`. */
  readonly fileSystemFlushes: number;
  /** Paths flushed one by one. */
  readonly pathFlushes: number;
}

interface Waiter {
  readonly paths: readonly string[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Group-committed flushes of one file system. */
export class GroupFlush {
  readonly #root: string;
  readonly #perPathUpTo: number;
  readonly #syncFileSystem: (root: string) => Promise<void>;
  readonly #ownSync: FileSystemSync | undefined;
  #queue: Waiter[] = [];
  #flushing = false;
  #fileSystemWorks = true;
  #requests = 0;
  #groups = 0;
  #fileSystemFlushes = 0;
  #pathFlushes = 0;

  constructor(options: GroupFlushOptions) {
    this.#root = options.root;
    this.#perPathUpTo = options.perPathUpTo ?? 12;
    if (options.syncFileSystem === undefined) {
      const sync = new FileSystemSync();
      this.#ownSync = sync;
      this.#syncFileSystem = (root) => sync.sync(root);
    } else {
      this.#syncFileSystem = options.syncFileSystem;
    }
  }

  /** Stops what this instance started; flushes already awaited may fail. */
  close(): void {
    this.#ownSync?.close();
  }

  /** What was done so far. */
  get figures(): GroupFlushFigures {
    return {
      requests: this.#requests,
      groups: this.#groups,
      fileSystemFlushes: this.#fileSystemFlushes,
      pathFlushes: this.#pathFlushes,
    };
  }

  /**
   * Resolves once `paths` (files' data, or folders' entries) and everything else written to them
   * before the call are on disk. A path that no longer exists has nothing to flush.
   */
  flush(paths: readonly string[]): Promise<void> {
    this.#requests++;
    if (paths.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#queue.push({ paths, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        void this.#flushQueued();
      }
    });
  }

  async #flushQueued(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        await this.#flushGroup(new Set(group.flatMap((waiter) => waiter.paths)));
        for (const waiter of group) waiter.resolve();
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    this.#flushing = false;
  }

  async #flushGroup(paths: ReadonlySet<string>): Promise<void> {
    this.#groups++;
    if (paths.size > this.#perPathUpTo && this.#fileSystemWorks) {
      try {
        await this.#syncFileSystem(this.#root);
        this.#fileSystemFlushes++;
        return;
      } catch (error) {
        if (!(error instanceof FileSystemFlushUnavailableError)) throw error;
        this.#fileSystemWorks = false;
      }
    }
    // NOTE: all at once: the thread pool bounds how many run, and a large group only goes this
    // way where the file system cannot be flushed whole.
    await Promise.all([...paths].map(flushIfPresent));
    this.#pathFlushes += paths.size;
  }
}
