/**
 * The file incoming driver, the embedded default: one file per batch, flat in a folder per sack
 * (layout and naming in `file-incoming-layout.ts`).
 *
 * Writes: open the batch's name exclusively in the sack folder, write, close; none of this is
 * flushed. With `fsync`, the batches of a write then go to the group-commit journal
 * (`incoming-journal.ts`), whose one flush, shared with every concurrent write of the process, is
 * what makes the write survive a power cut. A batch's name carries its measure count, so a reader
 * knows its size and passes over a file still shorter (being written, so not yet acknowledged):
 * a partial batch is never read. Deletes unlink exactly the named files.
 *
 * One listing of a sack finds every metric waiting there and its batches: the reporter's scan
 * and the backlog list each sack once, and metricd's workers list the sacks of a block once
 * (`listBatches`) and read each metric's listed batches under its lock.
 *
 * Notifications (`subscribe`): a write tells the listeners of its own driver, once per sack,
 * once it is durable; `orzo serve` runs the API and metricd's reporter in one process, so its
 * workers start on new measures at once instead of at the next tick. With `fsync`, a subscribed
 * driver also watches the journal folder (inotify), where every other process's write appends
 * to its segment, and tells its listeners of those without a sack: a metricd in a process of its
 * own then hears the API's writes too. Without `fsync`, or where the folder cannot be watched, it
 * finds them at its tick.
 */
import { randomUUID } from 'node:crypto';
import { renameSync, statSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { summarizeBacklog } from '../backlog.ts';
import {
  IncomingNotInitializedError,
  IncomingUnavailableError,
  SackCountChangeRefusedError,
} from '../errors.ts';
import type {
  Backlog,
  BacklogFigures,
  BacklogOptions,
  BatchHandle,
  IncomingDriver,
  MetricBacklog,
  NewBatch,
  ReadBatchesOptions,
  SackListener,
  StoredBatch,
  Unsubscribe,
} from '../incoming-driver.ts';
import { IncomingJournal, type IncomingJournalOptions } from './incoming-journal.ts';
import { currentBootId } from './process-identity.ts';
import { encodedMeasureBatchBytes } from '../measure-batch-codec.ts';
import { allSacks, assertSackCount, type Sack } from '../sack.ts';
import {
  batchFileName,
  FileIncomingLayout,
  isMetricId,
  isTemporaryName,
  legacyBatchName,
  measuresOfKnownBatchName,
  metricOfBatchName,
} from './file-incoming-layout.ts';
import {
  errorCode,
  flushIfPresent,
  flushPath,
  listFolderSync,
  makeFolder,
  readFileOfSizeSync,
  removeFolderIfEmpty,
  replaceFile,
  unlinkIfPresent,
  writeNewFileSync,
} from '../../fs/fs-helpers.ts';

/** Options of {@link FileIncomingDriver}. */
export interface FileIncomingDriverOptions {
  /** The base folder (`DIR` of `file://DIR`); the driver uses `DIR/incoming`. */
  readonly basePath: string;
  /** Flush every batch and its folders before a write resolves. @defaultValue `true` */
  readonly fsync?: boolean;
  /**
   * Age after which a temporary file, or a batch file shorter than its name says, is a crashed
   * writer's leftover. @defaultValue 10 minutes
   */
  readonly staleTemporaryMs?: number;
  /** The machine's boot id, which tells recovery whether unflushed files survived. @defaultValue read from `/proc` */
  readonly bootId?: string;
  /** Timings of the journal (with `fsync`); see `IncomingJournalOptions`. */
  readonly journal?: Pick<
    IncomingJournalOptions,
    'rotateMs' | 'maxSegmentBytes' | 'checkpointAfterMs' | 'sweepMs'
  >;
}

const FULL_DISK_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Called with each batch a listing of a sack finds. */
type BatchVisitor = (metricId: string, name: BatchHandle) => void;

/** Incoming batches as files under a base folder. */
export class FileIncomingDriver implements IncomingDriver {
  readonly #layout: FileIncomingLayout;
  readonly #fsync: boolean;
  readonly #staleTemporaryMs: number;
  readonly #journal: IncomingJournal | undefined;
  readonly #listeners = new Set<SackListener>();
  #watcher: FSWatcher | undefined;
  #recovery: Promise<unknown> | undefined;

  constructor(options: FileIncomingDriverOptions) {
    this.#layout = new FileIncomingLayout(options.basePath);
    this.#fsync = options.fsync ?? true;
    this.#staleTemporaryMs = options.staleTemporaryMs ?? 10 * 60 * 1000;
    this.#journal = this.#fsync
      ? new IncomingJournal({
          ...options.journal,
          root: this.#layout.root,
          bootId: options.bootId ?? currentBootId(),
          placeRecords: (paths) => this.#placeRecords(paths),
        })
      : undefined;
  }

  /** The folder holding everything this driver writes. */
  get root(): string {
    return this.#layout.root;
  }

  async getSackCount(): Promise<number | undefined> {
    let text: string;
    try {
      text = await readFile(this.#layout.configPath(), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    let sacks: unknown;
    try {
      sacks = (JSON.parse(text) as { sacks?: unknown } | null)?.sacks;
    } catch {
      sacks = undefined;
    }
    if (typeof sacks !== 'number') {
      throw new IncomingNotInitializedError(`${this.#layout.configPath()} holds no sack count`);
    }
    return sacks;
  }

  async setSackCount(sacks: number): Promise<void> {
    assertSackCount(sacks);
    await mkdir(this.#layout.root, { recursive: true });
    // NOTE: batches only the journal still holds must be back in their sacks before a count
    // change checks that nothing waits.
    await this.#journal?.recoverOrphans();
    const current = await this.getSackCount();
    if (current !== undefined && current !== sacks) await this.#removeSacks(current, sacks);
    for (const sack of allSacks(sacks)) makeFolder(this.#layout.sackPath(sack));
    await replaceFile(this.#layout.configPath(), JSON.stringify({ sacks }), this.#fsync);
  }

  async addBatches(batches: readonly NewBatch[]): Promise<void> {
    await this.#recovered();
    try {
      // NOTE: synchronous writes of unflushed small files (see fs-helpers.ts); the one flush
      // is the journal's. One write time names every batch of the request.
      const writtenAt = new Date();
      const names = batches.map((batch) => this.#writeBatch(batch, writtenAt));
      await this.#journal?.append(
        batches.map((batch, index) => ({
          path: this.#layout.relativeBatchPath(batch.sack, names[index] as string),
          data: batch.data,
        })),
      );
    } catch (error) {
      if (FULL_DISK_CODES.has(errorCode(error) ?? '')) {
        throw new IncomingUnavailableError('incoming storage is full', { cause: error });
      }
      throw error;
    }
    if (this.#listeners.size > 0) this.#notify(batches);
  }

  readonly subscribe = (onSack: SackListener): Promise<Unsubscribe> => {
    // NOTE: a function of its own per subscription, so that subscribing one twice hears twice.
    const listener: SackListener = (sack) => {
      onSack(sack);
    };
    this.#listeners.add(listener);
    this.#watchJournal();
    return Promise.resolve(() => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#unwatchJournal();
      return Promise.resolve();
    });
  };

  async listMetrics(sack: Sack): Promise<string[]> {
    await this.#recovered();
    const metrics = new Set<string>();
    await this.#listSack(sack, (metricId) => metrics.add(metricId));
    return [...metrics];
  }

  async listBatches(sack: Sack): Promise<Map<string, BatchHandle[]>> {
    await this.#recovered();
    return this.#batchesOf(sack);
  }

  async readBatches(
    sack: Sack,
    metricId: string,
    options: ReadBatchesOptions = {},
  ): Promise<StoredBatch[]> {
    if (!isMetricId(metricId)) throw new RangeError(`not a metric id: ${metricId}`);
    const listed = options.listed ?? (await this.#batchesOf(sack)).get(metricId) ?? [];
    // NOTE: a read always yields to the event loop once (a reader polling in a loop would
    // otherwise starve the writers' flushes; `#listSack` yields); the files are then read
    // synchronously, as storage reads are: small, and nearly always in the page cache.
    if (options.listed !== undefined) await yieldToEventLoop();
    const batches: StoredBatch[] = [];
    for (const name of listed.slice(0, options.limit ?? Infinity)) {
      this.#assertHandle(metricId, name);
      try {
        const measures = measuresOfKnownBatchName(name);
        const path = this.#layout.batchPath(sack, name);
        const size = encodedMeasureBatchBytes(measures);
        const data = readFileOfSizeSync(path, size);
        // NOTE: shorter than its name says: still being written, so not acknowledged yet. Once
        // stale it is returned as it is, for the reader to report as corrupt and delete: a
        // writer that died mid-write, or a file damaged since.
        if (data.length < size && !this.#isStale(path)) continue;
        batches.push({ handle: name, data, measures });
      } catch (error) {
        // NOTE: ENOENT: consumed by another reader after the listing; not ours to return.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    return batches;
  }

  deleteBatches(sack: Sack, metricId: string, handles: readonly BatchHandle[]): Promise<void> {
    // NOTE: a throw in the executor rejects the promise, as it would in an async function.
    return new Promise((resolve) => {
      for (const handle of handles) this.#assertHandle(metricId, handle);
      for (const handle of handles) unlinkIfPresent(this.#layout.batchPath(sack, handle));
      resolve();
    });
  }

  async backlog(sacks: number, options: BacklogOptions = {}): Promise<Backlog> {
    const figures = new Map<number, BacklogFigures>();
    const details = new Map<string, MetricBacklog>();
    for (const sack of allSacks(sacks)) {
      const metrics = new Map<string, { batches: number; measures: number }>();
      const sackFigures = { metrics: 0, batches: 0, measures: 0 };
      await this.#listSack(sack, (metricId, name) => {
        const measures = measuresOfKnownBatchName(name);
        sackFigures.batches += 1;
        sackFigures.measures += measures;
        const metric = metrics.get(metricId);
        if (metric === undefined) metrics.set(metricId, { batches: 1, measures });
        else {
          metric.batches += 1;
          metric.measures += measures;
        }
      });
      sackFigures.metrics = metrics.size;
      figures.set(sack.number, sackFigures);
      if (options.details === true) for (const [id, metric] of metrics) details.set(id, metric);
    }
    return summarizeBacklog(figures, options.details === true ? details : undefined);
  }

  async close(): Promise<void> {
    this.#unwatchJournal();
    await this.#recovery?.catch(() => undefined);
    await this.#journal?.close();
  }

  /** Recovers the journals of dead writers once, before this driver's first read or write. */
  #recovered(): Promise<unknown> {
    this.#recovery ??= this.#journal?.recoverOrphans() ?? Promise.resolve();
    return this.#recovery;
  }

  /** Where journal records go now: the sack of their metric under the current sack count. */
  async #placeRecords(paths: readonly string[]): Promise<(string | undefined)[]> {
    const sacks = await this.getSackCount();
    return paths.map((path) => this.#layout.placeBatch(path, sacks));
  }

  #assertHandle(metricId: string, handle: string): asserts handle is BatchHandle {
    if (metricOfBatchName(handle) !== metricId) {
      throw new RangeError(`bad handle ${handle} for metric ${metricId}`);
    }
  }

  /** Tells every listener, once per sack, that the batches of a write are in. */
  #notify(batches: readonly NewBatch[]): void {
    for (const sack of new Set(batches.map((batch) => batch.sack.number))) this.#tell(sack);
  }

  #tell(sack: number | undefined): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(sack);
      } catch {
        // NOTE: a listener's failure is its own; the write succeeded and stays so.
      }
    }
  }

  /** Hears other processes' appends to the journal (see the module's note). */
  #watchJournal(): void {
    const journal = this.#journal;
    if (journal === undefined || this.#watcher !== undefined) return;
    try {
      makeFolder(journal.folder);
      this.#watcher = watch(journal.folder, { persistent: false }, (event, name) => {
        if (event === 'change' && name !== null && journal.isOthersSegment(name)) {
          this.#tell(undefined);
        }
      });
    } catch {
      // NOTE: no inotify watch to be had (the system's limit): the tick still finds the writes.
      return;
    }
    this.#watcher.on('error', () => {
      this.#unwatchJournal();
    });
  }

  #unwatchJournal(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /**
   * Writes one batch file under its final name, unflushed; returns the name. A reader takes it
   * only once it holds the size its name says (`readBatches`), so it needs no temporary name and
   * rename, which cost the API a seventh of its time on 10,000 metrics × 60 points.
   */
  #writeBatch(batch: NewBatch, writtenAt: Date): string {
    const { sack, metricId } = batch;
    const name = batchFileName(metricId, writtenAt, randomUUID(), batch.measures);
    let linked: boolean;
    try {
      linked = writeNewFileSync(this.#layout.batchPath(sack, name), batch.data, true);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      throw new IncomingNotInitializedError(
        `sack folder ${this.#layout.sackPath(sack)} is missing; run \`orzo upgrade\``,
      );
    }
    // NOTE: a write stalled past `staleTemporaryMs` may have been taken for a dead writer's and
    // deleted by a reader; it must then fail rather than be acknowledged.
    if (!linked) throw new IncomingUnavailableError(`batch ${name} was removed while written`);
    return name;
  }

  /** The batches waiting in a sack, per metric, oldest first. */
  async #batchesOf(sack: Sack): Promise<Map<string, BatchHandle[]>> {
    const batches = new Map<string, BatchHandle[]>();
    await this.#listSack(sack, (metricId, name) => {
      const names = batches.get(metricId);
      if (names === undefined) batches.set(metricId, [name]);
      else names.push(name);
    });
    for (const names of batches.values()) if (names.length > 1) names.sort();
    return batches;
  }

  /**
   * Lists a sack, calling `visit` with each batch. Yields to the event loop first; the listing
   * itself is synchronous (a listing on the thread pool costs over three times the CPU,
   * `bench:pass` prints both). Metric folders of the older layout are moved flat first.
   */
  async #listSack(sack: Sack, visit: BatchVisitor): Promise<void> {
    await yieldToEventLoop();
    let names = listFolderSync(this.#layout.sackPath(sack));
    const legacy = names.filter(isMetricId);
    if (legacy.length > 0) {
      for (const metricId of legacy) await this.#moveFlat(sack, metricId);
      names = listFolderSync(this.#layout.sackPath(sack));
    }
    for (const name of names) {
      const metricId = metricOfBatchName(name);
      if (metricId !== undefined) visit(metricId, name as BatchHandle);
      else if (isTemporaryName(name)) this.#sweepIfStale(this.#layout.batchPath(sack, name));
    }
  }

  /**
   * Moves the batches of a metric folder of the older layout flat into its sack, flushed (the
   * journal that covered them may be gone), and removes the folder once empty.
   */
  async #moveFlat(sack: Sack, metricId: string): Promise<void> {
    const folder = this.#layout.legacyMetricPath(sack, metricId);
    const moved: string[] = [];
    for (const name of listFolderSync(folder)) {
      const flat = legacyBatchName(metricId, name);
      if (flat === undefined) {
        if (isTemporaryName(name)) this.#sweepIfStale(join(folder, name));
        continue;
      }
      const target = this.#layout.batchPath(sack, flat);
      try {
        renameSync(join(folder, name), target);
        moved.push(target);
      } catch (error) {
        // NOTE: ENOENT: another process moved or consumed it meanwhile.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    if (this.#fsync && moved.length > 0) {
      for (const path of moved) await flushIfPresent(path);
      await flushPath(this.#layout.sackPath(sack));
    }
    removeFolderIfEmpty(folder);
  }

  /** Removes a temporary file old enough to be a crashed writer's leftover. */
  #sweepIfStale(path: string): void {
    if (this.#isStale(path)) unlinkIfPresent(path);
  }

  /** Whether a file is older than any write takes: its writer crashed. Absent: gone meanwhile. */
  #isStale(path: string): boolean {
    const found = statSync(path, { throwIfNoEntry: false });
    return found !== undefined && Date.now() - found.mtimeMs > this.#staleTemporaryMs;
  }

  /** Removes the sacks of the old count, or refuses when any of them has measures waiting. */
  async #removeSacks(current: number, requested: number): Promise<void> {
    const old = allSacks(current);
    for (const sack of old) {
      if ((await this.listMetrics(sack)).length > 0) {
        throw new SackCountChangeRefusedError(current, requested);
      }
    }
    // NOTE: the old sack folders go before the new count is written, so that a process still
    // writing with the old count fails loudly instead of leaving batches nobody reads.
    for (const sack of old) {
      if (!removeFolderIfEmpty(this.#layout.sackPath(sack))) {
        throw new SackCountChangeRefusedError(current, requested);
      }
    }
  }
}
