/**
 * A storage driver that counts the time its caller spends blocked on storage and the bytes it
 * writes: a metricd worker's own view of its I/O, which sub-health detection judges against its
 * peers'. It can also delay every call, the documented fault that makes a worker slow on purpose
 * (`metricd.faultIoDelayMs` for the workers of `metricd.faultWorkers`).
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type {
  ObjectUpdate,
  ReadObjectsOptions,
  StorageDriver,
  UpdateObjectsOptions,
} from './storage-driver.ts';

/** What a {@link MeteredStorageDriver} counted since it was made. */
export interface IoFigures {
  /** Seconds spent in storage calls, the calls that overlap each counted whole. */
  readonly ioWaitSeconds: number;
  /** Bytes of the objects written. */
  readonly bytesWritten: number;
}

/** Adds `more` to `into`. */
export function addIoFigures(into: IoFigures, more: IoFigures): IoFigures {
  return {
    ioWaitSeconds: into.ioWaitSeconds + more.ioWaitSeconds,
    bytesWritten: into.bytesWritten + more.bytesWritten,
  };
}

/** No I/O yet. */
export const NO_IO: IoFigures = Object.freeze({ ioWaitSeconds: 0, bytesWritten: 0 });

/** Wraps a driver, timing each call. */
export class MeteredStorageDriver implements StorageDriver {
  readonly #inner: StorageDriver;
  readonly #delayMs: number;
  #waitMs = 0;
  #bytesWritten = 0;

  constructor(inner: StorageDriver, options: { readonly delayMs?: number } = {}) {
    this.#inner = inner;
    this.#delayMs = options.delayMs ?? 0;
  }

  /** The figures so far. */
  figures(): IoFigures {
    return { ioWaitSeconds: this.#waitMs / 1000, bytesWritten: this.#bytesWritten };
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  readObjects(
    metricId: string,
    names: readonly string[],
    options?: ReadObjectsOptions,
  ): Promise<(Uint8Array | undefined)[]> {
    return this.#timed(() => this.#inner.readObjects(metricId, names, options));
  }

  listObjects(metricId: string, options?: ReadObjectsOptions): Promise<string[]> {
    return this.#timed(() => this.#inner.listObjects(metricId, options));
  }

  async updateObjects(
    metricId: string,
    update: ObjectUpdate,
    options?: UpdateObjectsOptions,
  ): Promise<void> {
    await this.#timed(() => this.#inner.updateObjects(metricId, update, options));
    for (const bytes of update.put.values()) this.#bytesWritten += bytes.byteLength;
  }

  deleteMetric(metricId: string): Promise<void> {
    return this.#timed(() => this.#inner.deleteMetric(metricId));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #timed<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      if (this.#delayMs > 0) await sleep(this.#delayMs);
      return await call();
    } finally {
      this.#waitMs += performance.now() - started;
    }
  }
}
