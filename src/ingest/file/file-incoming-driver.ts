/**
 * The file incoming driver, the embedded default: one file per batch in a folder per metric,
 * in a folder per sack (layout and naming in `file-incoming-layout.ts`).
 *
 * Writes: open `.tmp-<uuid>` exclusively in the metric folder (making the folder when missing),
 * write, close, rename to the batch name; none of this is flushed. With `fsync`, the batches of
 * a write then go to the group-commit journal (`incoming-journal.ts`), whose one flush, shared
 * with every concurrent write of the process, is what makes the write survive a power cut. A
 * reader lists only names without a leading dot, so a partial batch is never seen. Deletes
 * unlink exactly the named files, then try to remove the metric folder; see the NOTEs for how
 * that races with writers.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
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
  StoredBatch,
} from '../incoming-driver.ts';
import { mapLimit } from '../../async/map-limit.ts';
import { IncomingJournal, type IncomingJournalOptions } from './incoming-journal.ts';
import { currentBootId } from './process-identity.ts';
import { allSacks, assertSackCount, type Sack } from '../sack.ts';
import {
  batchFileName,
  FileIncomingLayout,
  isBatchName,
  isMetricFolderName,
  isTemporaryName,
  measuresOfBatchName,
  temporaryFileName,
} from './file-incoming-layout.ts';
import {
  errorCode,
  listFolder,
  listFolderSync,
  makeFolder,
  pathExists,
  removeFolderIfEmpty,
  replaceFile,
  unlinkIfPresent,
} from '../../fs/fs-helpers.ts';

/** Options of {@link FileIncomingDriver}. */
export interface FileIncomingDriverOptions {
  /** The base folder (`DIR` of `file://DIR`); the driver uses `DIR/incoming`. */
  readonly basePath: string;
  /** Flush every batch and its folders before a write resolves. @defaultValue `true` */
  readonly fsync?: boolean;
  /** Age after which a temporary file is a crashed writer's leftover. @defaultValue 10 minutes */
  readonly staleTemporaryMs?: number;
  /** The machine's boot id, which tells recovery whether unflushed files survived. @defaultValue read from `/proc` */
  readonly bootId?: string;
  /** Timings of the journal (with `fsync`); see `IncomingJournalOptions`. */
  readonly journal?: Pick<
    IncomingJournalOptions,
    'rotateMs' | 'maxSegmentBytes' | 'checkpointAfterMs' | 'sweepMs'
  >;
}

/** Filesystem calls kept in flight at once by one operation. */
const CONCURRENCY = 16;
/** A writer gives up after this many rounds of losing its folder to a concurrent cleanup. */
const MAX_FOLDER_ATTEMPTS = 100;
const FULL_DISK_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Incoming batches as files under a base folder. */
export class FileIncomingDriver implements IncomingDriver {
  readonly #layout: FileIncomingLayout;
  readonly #fsync: boolean;
  readonly #staleTemporaryMs: number;
  readonly #journal: IncomingJournal | undefined;
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
      // is the journal's.
      const names = batches.map((batch) => this.#writeBatch(batch));
      await this.#journal?.append(
        batches.map((batch, index) => ({
          path: this.#layout.relativeBatchPath(batch.sack, batch.metricId, names[index] as string),
          data: batch.data,
        })),
      );
    } catch (error) {
      if (FULL_DISK_CODES.has(errorCode(error) ?? '')) {
        throw new IncomingUnavailableError('incoming storage is full', { cause: error });
      }
      throw error;
    }
  }

  async listMetrics(sack: Sack): Promise<string[]> {
    await this.#recovered();
    const names = await listFolder(this.#layout.sackPath(sack));
    return names.filter(isMetricFolderName);
  }

  async readBatches(
    sack: Sack,
    metricId: string,
    options: ReadBatchesOptions = {},
  ): Promise<StoredBatch[]> {
    // NOTE: a read always yields to the event loop once (a reader polling in a loop would
    // otherwise starve the writers' flushes); the listing and the files are then read
    // synchronously, as storage reads are: small, and nearly always in the page cache, where a
    // listing on the thread pool costs over three times the CPU (`bench:pass` prints both).
    await yieldToEventLoop();
    const names = listFolderSync(this.#layout.metricPath(sack, metricId)).sort();
    await this.#sweepStaleTemporaries(sack, metricId, names.filter(isTemporaryName));
    const batches: StoredBatch[] = [];
    for (const name of names.filter(isBatchName).slice(0, options.limit ?? Infinity)) {
      try {
        const data = readFileSync(this.#layout.batchPath(sack, metricId, name));
        batches.push({
          handle: name as BatchHandle,
          data,
          measures: measuresOfBatchName(name) ?? 0,
        });
      } catch (error) {
        // NOTE: ENOENT: deleted by another reader after the listing; it is not ours to return.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    return batches;
  }

  deleteBatches(sack: Sack, metricId: string, handles: readonly BatchHandle[]): Promise<void> {
    // NOTE: a throw in the executor rejects the promise, as it would in an async function.
    return new Promise((resolve) => {
      for (const handle of handles) {
        if (!isBatchName(handle) || handle.includes('/'))
          throw new RangeError(`bad handle ${handle}`);
      }
      for (const handle of handles) {
        unlinkIfPresent(this.#layout.batchPath(sack, metricId, handle));
      }
      // NOTE: a writer keeps its temporary file inside the folder from before it writes until
      // the rename, so this can only remove a folder that no write is using; a writer that made
      // the folder but had not yet opened its file sees ENOENT on open and makes it again.
      removeFolderIfEmpty(this.#layout.metricPath(sack, metricId));
      resolve();
    });
  }

  async backlog(sacks: number, options: BacklogOptions = {}): Promise<Backlog> {
    const perSack = await mapLimit(allSacks(sacks), CONCURRENCY, (sack) => this.#sackBacklog(sack));
    const figures = new Map<number, BacklogFigures>();
    const details = new Map<string, MetricBacklog>();
    for (const { sack, metrics } of perSack) {
      const sackFigures = { metrics: metrics.size, batches: 0, measures: 0 };
      for (const [metricId, metric] of metrics) {
        sackFigures.batches += metric.batches;
        sackFigures.measures += metric.measures;
        if (options.details === true) details.set(metricId, metric);
      }
      figures.set(sack.number, sackFigures);
    }
    return summarizeBacklog(figures, options.details === true ? details : undefined);
  }

  async close(): Promise<void> {
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

  /** Writes one batch file, unflushed; returns its name. */
  #writeBatch(batch: NewBatch): string {
    const { sack, metricId } = batch;
    const folder = this.#layout.metricPath(sack, metricId);
    const id = randomUUID();
    const temporary = this.#layout.batchPath(sack, metricId, temporaryFileName(id));
    const descriptor = this.#openInFolder(sack, folder, temporary);
    try {
      try {
        writeFileSync(descriptor, batch.data);
      } finally {
        closeSync(descriptor);
      }
      const name = batchFileName(new Date(), id, batch.measures);
      renameSync(temporary, this.#layout.batchPath(sack, metricId, name));
      return name;
    } catch (error) {
      unlinkIfPresent(temporary);
      throw error;
    }
  }

  /** Opens a new temporary file in a metric folder, making the folder as often as it vanishes. */
  #openInFolder(sack: Sack, folder: string, temporary: string): number {
    for (let attempt = 0; attempt < MAX_FOLDER_ATTEMPTS; attempt++) {
      // NOTE: asked first, because the folder is usually missing (metricd removes a metric's
      // folder once it has consumed its batches) and a failed open throws an error whose stack
      // trace costs several times the open. A reader may still remove the folder between our
      // mkdir and our open: then the open fails with ENOENT and we make it again.
      if (!pathExists(folder)) this.#makeMetricFolder(sack, folder);
      try {
        return openSync(temporary, 'wx', 0o644);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    throw new Error(`could not keep metric folder ${folder} long enough to write to it`);
  }

  #makeMetricFolder(sack: Sack, folder: string): void {
    try {
      makeFolder(folder);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      throw new IncomingNotInitializedError(
        `sack folder ${this.#layout.sackPath(sack)} is missing; run \`orzo upgrade\``,
      );
    }
  }

  async #sweepStaleTemporaries(sack: Sack, metricId: string, names: string[]): Promise<void> {
    const now = Date.now();
    for (const name of names) {
      const path = this.#layout.batchPath(sack, metricId, name);
      try {
        const { mtimeMs } = await stat(path);
        // NOTE: a write never takes this long; the writer crashed and the file would otherwise
        // keep the metric folder (and so the metric's listing) alive forever.
        if (now - mtimeMs > this.#staleTemporaryMs) unlinkIfPresent(path);
      } catch (error) {
        // NOTE: ENOENT: the writer renamed it meanwhile.
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }

  async #sackBacklog(sack: Sack): Promise<{ sack: Sack; metrics: Map<string, MetricBacklog> }> {
    const metricIds = await this.listMetrics(sack);
    const metrics = new Map<string, MetricBacklog>();
    for (const metricId of metricIds) {
      const names = (await listFolder(this.#layout.metricPath(sack, metricId))).filter(isBatchName);
      if (names.length === 0) continue;
      const measures = names.reduce((sum, name) => sum + (measuresOfBatchName(name) ?? 0), 0);
      metrics.set(metricId, { batches: names.length, measures });
    }
    return { sack, metrics };
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
