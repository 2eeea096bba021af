/**
 * Where the metricd reporter publishes its status for the API to serve. On one machine it is a
 * JSON file in the data folder, replaced atomically on every tick.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { errorCode, replaceFile } from '../fs/fs-helpers.ts';
import type { MetricdStatus } from './metricd-status.ts';

/** A place to publish and read metricd's status. */
export interface StatusBoard {
  /** Publishes a status; false when this writer may not (a deposed reporter). */
  publish(status: MetricdStatus): Promise<boolean>;
  /** The last published status, or `undefined` when none was. */
  read(): Promise<MetricdStatus | undefined>;
  close(): Promise<void>;
}

/** The status as `<dataDir>/metricd/status.json`. */
export class FileStatusBoard implements StatusBoard {
  readonly #folder: string;
  readonly #path: string;
  #ready: Promise<unknown> | undefined;

  constructor(dataDir: string) {
    this.#folder = join(dataDir, 'metricd');
    this.#path = join(this.#folder, 'status.json');
  }

  async publish(status: MetricdStatus): Promise<boolean> {
    this.#ready ??= mkdir(this.#folder, { recursive: true });
    await this.#ready;
    await replaceFile(this.#path, JSON.stringify(status), false);
    return true;
  }

  async read(): Promise<MetricdStatus | undefined> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as MetricdStatus;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    // NOTE: nothing is held open between calls.
  }
}
