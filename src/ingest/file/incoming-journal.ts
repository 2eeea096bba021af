/**
 * The group-commit journal of the file incoming driver: what makes a 202 durable without a flush
 * per batch file.
 *
 * Concurrent writes of one process share a commit: every batch that arrives while a flush is in
 * flight joins the next group, and a group costs one append and one `fdatasync` of the current
 * segment, however many requests and metrics it holds. The per-metric batch files are written
 * beside it without any flush of their own.
 *
 * A segment is retired after `rotateMs` (or `maxSegmentBytes`), and `checkpointAfterMs` later it
 * is checkpointed and dropped: the batch files it names that still exist are flushed, then their
 * folders, so the segment no longer holds anything the files do not. By then metricd has usually
 * consumed most of them, which makes the checkpoint cheap.
 *
 * A segment whose writer died is an orphan; any journaling process recovers it (claiming it by a
 * rename first). If the machine has not restarted since it was written (same boot id), the page
 * cache still holds every batch file written, so recovery is a checkpoint: a record without its
 * file was either consumed by metricd or never acknowledged. After a restart, files that were
 * never flushed may be empty or gone, so every record's file is written again from the journal:
 * a batch metricd had already folded is then folded once more, which recomputation from raw
 * points makes harmless.
 */
import { readdirSync, renameSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { mapLimit } from '../../async/map-limit.ts';
import {
  errorCode,
  flushIfPresent,
  flushPath,
  listFolder,
  makeFolder,
  temporaryPath,
  unlinkIfPresent,
  writeNewFile,
} from '../../fs/fs-helpers.ts';
import {
  decodeSegment,
  encodeRecords,
  encodeSegmentHeader,
  type JournalRecord,
} from './journal-segment-codec.ts';
import {
  claimFileName,
  closeOwner,
  isOwnerRunning,
  isSameBoot,
  openOwner,
  parseJournalName,
  segmentFileName,
  type JournalOwner,
} from './journal-segment-name.ts';

export type { JournalRecord } from './journal-segment-codec.ts';

/** Options of {@link IncomingJournal}. */
export interface IncomingJournalOptions {
  /** `DIR/incoming`: record paths are relative to it, and segments live in its `journal/`. */
  readonly root: string;
  /** This machine's boot id (see `process-identity.ts`). */
  readonly bootId: string;
  /**
   * Where recovered records' files go now, as absolute paths (their sacks may have been
   * renumbered since); `undefined` drops a record that has no place any more.
   */
  readonly placeRecords: (paths: readonly string[]) => Promise<(string | undefined)[]>;
  /** Age at which the current segment is retired. @defaultValue 1 second */
  readonly rotateMs?: number;
  /** Size at which the current segment is retired. @defaultValue 32 MiB */
  readonly maxSegmentBytes?: number;
  /** Age of a retired segment at which its remaining files are flushed and it is dropped. @defaultValue 5 s */
  readonly checkpointAfterMs?: number;
  /** How often retired segments are looked at, and orphans every tenth time. @defaultValue 1 s */
  readonly sweepMs?: number;
}

/** Filesystem calls kept in flight at once by a checkpoint or a recovery. */
const CONCURRENCY = 16;
/** The journal's folder under `DIR/incoming`. */
export const JOURNAL_FOLDER = 'journal';

interface Waiter {
  readonly records: readonly JournalRecord[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Segment {
  readonly name: string;
  readonly openedAt: number;
  handle: FileHandle | undefined;
  bytes: number;
  /** Every record path. */
  readonly paths: string[];
  retiredAt: number;
}

/** A journal of one process's incoming writes. */
export class IncomingJournal {
  readonly #root: string;
  readonly #folder: string;
  readonly #bootId: string;
  readonly #placeRecords: (paths: readonly string[]) => Promise<(string | undefined)[]>;
  readonly #rotateMs: number;
  readonly #maxSegmentBytes: number;
  readonly #checkpointAfterMs: number;
  readonly #owner: JournalOwner;
  readonly #timer: NodeJS.Timeout;
  #queue: Waiter[] = [];
  #committing: Promise<void> | undefined;
  #current: Segment | undefined;
  #retired: Segment[] = [];
  #sequence = 0;
  #ready: Promise<unknown> | undefined;
  #sweeping: Promise<void> | undefined;
  #sweeps = 0;
  #commits = 0;
  #closed = false;

  constructor(options: IncomingJournalOptions) {
    this.#root = options.root;
    this.#folder = join(options.root, JOURNAL_FOLDER);
    this.#bootId = options.bootId;
    this.#placeRecords = options.placeRecords;
    this.#rotateMs = options.rotateMs ?? 1000;
    this.#maxSegmentBytes = options.maxSegmentBytes ?? 32 * 1024 * 1024;
    this.#checkpointAfterMs = options.checkpointAfterMs ?? 5000;
    this.#owner = openOwner(options.bootId);
    this.#timer = setInterval(() => {
      this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = undefined));
    }, options.sweepMs ?? 1000);
    this.#timer.unref();
  }

  /**
   * Resolves once `records` are durably in the journal, along with whatever shared the flush.
   * Their batch files must be written (unflushed) before: a record whose file is missing counts
   * as consumed by metricd.
   */
  append(records: readonly JournalRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the incoming journal is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      this.#committing ??= this.#commitQueued();
    });
  }

  /** The folder of the segments. */
  get folder(): string {
    return this.#folder;
  }

  /** Whether a name in the journal folder is a segment another journal appends to. */
  isOthersSegment(name: string): boolean {
    const parsed = parseJournalName(name);
    return parsed?.kind === 'segment' && parsed.owner.name !== this.#owner.name;
  }

  /** Flushes made so far, one per commit group: far fewer than appends under concurrency. */
  get commits(): number {
    return this.#commits;
  }

  /** Recovers the segments of writers that are gone; returns how many it recovered. */
  async recoverOrphans(): Promise<number> {
    let recovered = 0;
    for (const name of await listFolder(this.#folder)) {
      const parsed = parseJournalName(name);
      if (parsed === undefined) continue;
      const holder = parsed.kind === 'segment' ? parsed.owner : parsed.claimer;
      if (isOwnerRunning(holder, this.#bootId)) continue;
      const claim = join(this.#folder, claimFileName(parsed.segment, this.#owner));
      try {
        await rename(join(this.#folder, name), claim);
      } catch (error) {
        // NOTE: ENOENT: another process claimed it first.
        if (errorCode(error) === 'ENOENT') continue;
        throw error;
      }
      await this.#recoverSegment(claim);
      recovered++;
    }
    return recovered;
  }

  /** Flushes what every segment of this journal holds into its files, then drops the segments. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#committing;
    await this.#sweeping;
    if (this.#current !== undefined) this.#retire(this.#current);
    for (const segment of this.#retired.splice(0)) await this.#checkpoint(segment);
    closeOwner(this.#owner);
  }

  async #commitQueued(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        await this.#commit(group.flatMap((waiter) => waiter.records));
        for (const waiter of group) waiter.resolve();
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    this.#committing = undefined;
  }

  async #commit(records: readonly JournalRecord[]): Promise<void> {
    const bytes = encodeRecords(records);
    const segment = await this.#segmentFor(bytes.length);
    const handle = segment.handle as FileHandle;
    try {
      await handle.write(bytes, 0, bytes.length, segment.bytes);
      await handle.datasync();
    } catch (error) {
      // NOTE: a failed append may leave a cut record at the tail; appending after it would hide
      // later groups from recovery, so the segment ends here (its complete records still count).
      this.#retire(segment);
      throw error;
    }
    segment.bytes += bytes.length;
    this.#commits++;
    for (const { path } of records) segment.paths.push(path);
  }

  /** The segment to append `size` bytes to: the current one, or a new one. */
  async #segmentFor(size: number): Promise<Segment> {
    const current = this.#current;
    if (
      current !== undefined &&
      current.bytes + size <= this.#maxSegmentBytes &&
      Date.now() - current.openedAt < this.#rotateMs
    ) {
      return current;
    }
    if (current !== undefined) this.#retire(current);
    this.#ready ??= mkdir(this.#folder, { recursive: true });
    await this.#ready;
    const name = segmentFileName(this.#owner, this.#sequence++);
    const handle = await open(join(this.#folder, name), 'wx');
    const header = encodeSegmentHeader(this.#bootId);
    try {
      await handle.write(header, 0, header.length, 0);
      await handle.datasync();
      // NOTE: the segment's own name must be on disk before anything in it counts.
      await flushPath(this.#folder);
    } catch (error) {
      await handle.close();
      unlinkIfPresent(join(this.#folder, name));
      throw error;
    }
    const segment: Segment = {
      name,
      openedAt: Date.now(),
      handle,
      bytes: header.length,
      paths: [],
      retiredAt: 0,
    };
    this.#current = segment;
    return segment;
  }

  #retire(segment: Segment): void {
    if (this.#current === segment) this.#current = undefined;
    segment.retiredAt = Date.now();
    const handle = segment.handle;
    segment.handle = undefined;
    // NOTE: nothing is appended after retirement; closing needs no flush (each group had its own).
    void handle?.close().catch(() => undefined);
    this.#retired.push(segment);
  }

  async #sweep(): Promise<void> {
    const current = this.#current;
    if (
      current !== undefined &&
      this.#committing === undefined &&
      Date.now() - current.openedAt >= this.#rotateMs
    ) {
      this.#retire(current);
    }
    const now = Date.now();
    for (const segment of [...this.#retired]) {
      if (now - segment.retiredAt >= this.#checkpointAfterMs) await this.#checkpoint(segment);
    }
    if (this.#sweeps++ % 10 === 0) await this.recoverOrphans();
  }

  /** Makes a retired segment's remaining files and their folders durable, then drops it. */
  async #checkpoint(segment: Segment): Promise<void> {
    await flushRemaining(segment.paths.map((path) => join(this.#root, path)));
    unlinkIfPresent(join(this.#folder, segment.name));
    this.#retired = this.#retired.filter((other) => other !== segment);
  }

  async #recoverSegment(claim: string): Promise<void> {
    const decoded = decodeSegment(await readFile(claim));
    if (decoded !== undefined && decoded.records.length > 0) {
      const places = await this.#placeRecords(decoded.records.map((record) => record.path));
      if (isSameBoot(decoded.bootId, this.#bootId)) {
        await flushRemaining(places.filter((path) => path !== undefined));
      } else {
        await mapLimit(decoded.records, CONCURRENCY, async (record, index) => {
          const target = places[index];
          if (target !== undefined) await rewriteFile(target, record.data);
        });
        await flushFolders(places.filter((path) => path !== undefined));
      }
    }
    await unlink(claim);
  }
}

/**
 * Flushes those of `paths` that still exist, then their sack folders. Most are usually gone
 * (consumed by metricd): one synchronous listing per sack folder finds the rest, where an
 * asynchronous probe per file would cost ten times the CPU.
 */
async function flushRemaining(paths: readonly string[]): Promise<void> {
  const byFolder = new Map<string, string[]>();
  for (const path of paths) {
    const folder = dirname(path);
    const names = byFolder.get(folder);
    if (names === undefined) byFolder.set(folder, [basename(path)]);
    else names.push(basename(path));
  }
  const remaining: string[] = [];
  for (const [folder, names] of byFolder) {
    let present: Set<string>;
    try {
      present = new Set(readdirSync(folder));
    } catch (error) {
      // NOTE: ENOENT: the sack was removed by a sack count change.
      if (errorCode(error) === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) if (present.has(name)) remaining.push(join(folder, name));
  }
  // NOTE: a file gone meanwhile was consumed; the storage write that consumed it was flushed.
  await mapLimit(remaining, CONCURRENCY, flushIfPresent);
  await flushFolders(remaining);
}

/** Flushes the sack folders of `paths`, which make their names durable. */
async function flushFolders(paths: readonly string[]): Promise<void> {
  const sackFolders = new Set(paths.map((path) => dirname(path)));
  // NOTE: a sack gone meanwhile was removed by a sack count change.
  await mapLimit([...sackFolders], CONCURRENCY, flushIfPresent);
}

/** Writes a recovered batch file again, flushed. */
async function rewriteFile(path: string, data: Uint8Array): Promise<void> {
  makeFolder(dirname(path));
  const temporary = temporaryPath(dirname(path));
  await writeNewFile(temporary, data, true);
  renameSync(temporary, path);
}
