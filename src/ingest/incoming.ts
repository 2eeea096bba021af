/**
 * The incoming service: what the API, the chef and `orzo upgrade` call. It takes parsed
 * measures, encodes them, routes them to their sack and hands the bytes to an
 * {@link IncomingDriver}; on the way out it decodes, joins and reports corrupt batches.
 *
 * The sack count is read from the backend on first use and then kept, as it only changes through
 * `orzo upgrade` with the other processes stopped; a failed read is retried on the next call, so
 * an API started while Redis is down recovers when Redis does.
 */
import { InvalidDataError } from '../carbonara/errors.ts';
import { IncomingNotInitializedError } from './errors.ts';
import type {
  Backlog,
  BacklogOptions,
  BatchHandle,
  IncomingDriver,
  NewBatch,
  ReadBatchesOptions,
  SackListener,
  Unsubscribe,
} from './incoming-driver.ts';
import { decodeMeasureBatch, encodeMeasureBatch } from './measure-batch-codec.ts';
import { concatMeasureBatches, type MeasureBatch } from './measure-batch.ts';
import { assertCanonicalUuid } from '../grammar/index.ts';
import { assertSackCount, sackOfMetric, type Sack } from './sack.ts';

/** A batch that could not be decoded; it is still among the handles to delete. */
export interface CorruptBatch {
  readonly handle: BatchHandle;
  readonly error: InvalidDataError;
}

/** Everything waiting for one metric, as read at one moment. */
export interface PendingMeasures {
  readonly metricId: string;
  /** Every batch read, the corrupt ones included; pass them to `deletePending` once processed. */
  readonly handles: readonly BatchHandle[];
  /** The measures of every decodable batch, joined in read order, unsorted. */
  readonly measures: MeasureBatch;
  readonly corrupt: readonly CorruptBatch[];
}

/** Incoming measures on top of a driver. */
export class Incoming {
  readonly #driver: IncomingDriver;
  #sackCount: Promise<number> | undefined;

  constructor(driver: IncomingDriver) {
    this.#driver = driver;
  }

  /** The driver underneath, for tools that need its primitives. */
  get driver(): IncomingDriver {
    return this.#driver;
  }

  /** The number of sacks; throws `IncomingNotInitializedError` before `orzo upgrade`. */
  async sackCount(): Promise<number> {
    this.#sackCount ??= this.#loadSackCount();
    try {
      return await this.#sackCount;
    } catch (error) {
      this.#sackCount = undefined;
      throw error;
    }
  }

  /** Sets the number of sacks (`orzo upgrade --sacks N`); refuses a change while measures wait. */
  async upgrade(sacks: number): Promise<void> {
    assertSackCount(sacks);
    await this.#driver.setSackCount(sacks);
    this.#sackCount = Promise.resolve(sacks);
  }

  /** The sack a metric's measures go to. */
  async sackOf(metricId: string): Promise<Sack> {
    return sackOfMetric(metricId, await this.sackCount());
  }

  /** Stores one request's measures for one metric (nothing is stored for an empty batch). */
  async enqueueMeasures(metricId: string, batch: MeasureBatch): Promise<void> {
    await this.enqueueBatches(new Map([[metricId, batch]]));
  }

  /** Stores one request's measures for many metrics, all or none where the backend allows. */
  async enqueueBatches(batches: ReadonlyMap<string, MeasureBatch>): Promise<void> {
    const total = await this.sackCount();
    const newBatches: NewBatch[] = [];
    for (const [metricId, batch] of batches) {
      assertCanonicalUuid(metricId, 'metric id');
      const measures = batch.timestamps.length;
      // NOTE: Gnocchi stores an empty file for `[]`; storing nothing is indistinguishable to
      // every reader and keeps empty batches out of the backlog.
      if (measures === 0) continue;
      const sack = sackOfMetric(metricId, total);
      newBatches.push({ metricId, sack, data: encodeMeasureBatch(batch), measures });
    }
    await this.#driver.addBatches(newBatches);
  }

  /** The metrics with measures waiting in a sack. */
  async listMetrics(sack: number): Promise<string[]> {
    return this.#driver.listMetrics({ number: sack, total: await this.sackCount() });
  }

  /**
   * The batches waiting for each of `metricIds` (none for a metric with nothing waiting), from
   * one listing per sack, for a block about to be read metric by metric, each with its `listed`
   * handles; `undefined` where the driver reads a metric without listing its sack.
   */
  async listPendingBatches(
    metricIds: readonly string[],
  ): Promise<ReadonlyMap<string, readonly BatchHandle[]> | undefined> {
    const listBatches = this.#driver.listBatches;
    if (listBatches === undefined) return undefined;
    const total = await this.sackCount();
    const bySack = new Map<number, string[]>();
    for (const metricId of metricIds) {
      const sack = sackOfMetric(metricId, total).number;
      const ids = bySack.get(sack);
      if (ids === undefined) bySack.set(sack, [metricId]);
      else ids.push(metricId);
    }
    const found = new Map<string, readonly BatchHandle[]>();
    for (const [sack, ids] of bySack) {
      const listed = await listBatches.call(this.#driver, { number: sack, total });
      for (const metricId of ids) found.set(metricId, listed.get(metricId) ?? []);
    }
    return found;
  }

  /** Reads what waits for a metric, without removing it. */
  async readPending(metricId: string, options: ReadBatchesOptions = {}): Promise<PendingMeasures> {
    const sack = await this.sackOf(metricId);
    const stored = await this.#driver.readBatches(sack, metricId, options);
    const decoded: MeasureBatch[] = [];
    const corrupt: CorruptBatch[] = [];
    for (const { handle, data } of stored) {
      try {
        decoded.push(decodeMeasureBatch(data));
      } catch (error) {
        if (!(error instanceof InvalidDataError)) throw error;
        corrupt.push({ handle, error });
      }
    }
    const handles = stored.map(({ handle }) => handle);
    return { metricId, handles, measures: concatMeasureBatches(decoded), corrupt };
  }

  /** Deletes the batches of a read (all its handles, or a leading part of them). */
  async deletePending(metricId: string, handles: readonly BatchHandle[]): Promise<void> {
    if (handles.length === 0) return;
    await this.#driver.deleteBatches(await this.sackOf(metricId), metricId, handles);
  }

  /** Drops everything waiting for a metric (its deletion), returning how many batches went. */
  async discardPending(metricId: string): Promise<number> {
    const sack = await this.sackOf(metricId);
    let discarded = 0;
    for (;;) {
      const stored = await this.#driver.readBatches(sack, metricId, { limit: 1000 });
      if (stored.length === 0) return discarded;
      await this.#driver.deleteBatches(
        sack,
        metricId,
        stored.map(({ handle }) => handle),
      );
      discarded += stored.length;
    }
  }

  /** What waits, in total, per sack and, with `details`, per metric. */
  async backlog(options: BacklogOptions = {}): Promise<Backlog> {
    return this.#driver.backlog(await this.sackCount(), options);
  }

  /** Notifies `onSack` of sacks receiving measures; `undefined` where the backend cannot. */
  async subscribe(onSack: SackListener): Promise<Unsubscribe | undefined> {
    return this.#driver.subscribe?.(onSack);
  }

  async #loadSackCount(): Promise<number> {
    const sacks = await this.#driver.getSackCount();
    if (sacks === undefined) throw new IncomingNotInitializedError();
    return sacks;
  }
}
