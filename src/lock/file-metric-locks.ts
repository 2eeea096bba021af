/**
 * Per-metric locks on one machine, as lock folders (proper-lockfile): `<basePath>/locks/<id>.lock`.
 *
 * `mkdir` is atomic, so exactly one process creates the folder; the holder refreshes its mtime
 * every `staleMs / 2`, and a folder left by a killed process is taken over once its mtime is
 * `staleMs` old. A holder whose refresh fails, or whose folder was taken over, is told through
 * `lost` and must stop writing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import lockfile from 'proper-lockfile';

import { errorCode } from '../fs/fs-helpers.ts';
import { acquireWithin, type MetricLock, type MetricLocks } from './metric-locks.ts';

/** Settings of {@link FileMetricLocks}. */
export interface FileMetricLocksOptions {
  /** The data folder; locks live in its `locks` folder. */
  readonly basePath: string;
  /** Age (ms) after which a lock nobody refreshes is taken over. @defaultValue `10000` */
  readonly staleMs?: number;
  /** Called when a held lock is lost. */
  readonly onLost?: (metricId: string, error: Error) => void;
}

/** Lock folders on the local file system. */
export class FileMetricLocks implements MetricLocks {
  readonly #folder: string;
  readonly #staleMs: number;
  readonly #onLost: ((metricId: string, error: Error) => void) | undefined;
  #ready: Promise<unknown> | undefined;

  constructor(options: FileMetricLocksOptions) {
    this.#folder = join(options.basePath, 'locks');
    this.#staleMs = options.staleMs ?? 10_000;
    this.#onLost = options.onLost;
  }

  async tryAcquire(metricId: string): Promise<MetricLock | undefined> {
    this.#ready ??= mkdir(this.#folder, { recursive: true });
    await this.#ready;
    const path = join(this.#folder, `${metricId}.lock`);
    const held = { metricId, lost: false };
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(path, {
        lockfilePath: path,
        realpath: false,
        stale: this.#staleMs,
        onCompromised: (error: Error) => {
          held.lost = true;
          this.#onLost?.(metricId, error);
        },
      });
    } catch (error) {
      if (errorCode(error) === 'ELOCKED') return undefined;
      throw error;
    }
    return {
      metricId,
      get lost() {
        return held.lost;
      },
      release: async () => {
        if (held.lost) return;
        try {
          await release();
        } catch (error) {
          // NOTE: a lock compromised between the check and the release is already gone.
          if (errorCode(error) !== 'ERELEASED' && errorCode(error) !== 'ECOMPROMISED') throw error;
        }
      },
    };
  }

  acquire(metricId: string, timeoutMs: number): Promise<MetricLock | undefined> {
    return acquireWithin(this, metricId, timeoutMs);
  }

  async close(): Promise<void> {
    // NOTE: nothing to release: held locks belong to their holders.
  }
}
