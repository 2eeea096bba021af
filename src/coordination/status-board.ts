/**
 * Where the metricd reporter publishes its status for the API to serve. On one machine it is a
 * JSON file in the data folder, replaced atomically on every tick.
 *
 * On a full disk the replacement (a new file) cannot be written, and a status that stops changing
 * reads as every worker dead. The file is therefore written padded with spaces to a multiple of
 * {@link STATUS_PADDING} bytes, and when a replacement fails for want of space the new status is
 * written over the old one in place, in blocks the file already has; a reader that catches it
 * halfway reads no status for one tick.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
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

/** The status file's size is a multiple of this, so that a grown status fits in place. */
export const STATUS_PADDING = 16 * 1024;

const FULL_DISK_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/** How a {@link FileStatusBoard} writes; replaceable in tests to simulate a full disk. */
export interface FileStatusBoardOptions {
  readonly replace?: typeof replaceFile;
}

/** The status as `<dataDir>/metricd/status.json`. */
export class FileStatusBoard implements StatusBoard {
  readonly #folder: string;
  readonly #path: string;
  readonly #replace: typeof replaceFile;
  #ready: Promise<unknown> | undefined;

  constructor(dataDir: string, options: FileStatusBoardOptions = {}) {
    this.#folder = join(dataDir, 'metricd');
    this.#path = join(this.#folder, 'status.json');
    this.#replace = options.replace ?? replaceFile;
  }

  async publish(status: MetricdStatus): Promise<boolean> {
    this.#ready ??= mkdir(this.#folder, { recursive: true });
    await this.#ready;
    const text = JSON.stringify(status);
    const bytes = Buffer.byteLength(text);
    const padded =
      text + ' '.repeat(Math.ceil((bytes + 1) / STATUS_PADDING) * STATUS_PADDING - bytes);
    try {
      await this.#replace(this.#path, padded, false);
    } catch (error) {
      if (!FULL_DISK_CODES.has(errorCode(error) ?? '') || !(await this.#overwrite(padded))) {
        throw error;
      }
    }
    return true;
  }

  /** Writes over the current file within its size; false when it is missing or too small. */
  async #overwrite(padded: string): Promise<boolean> {
    let file;
    try {
      file = await open(this.#path, 'r+');
    } catch {
      return false;
    }
    try {
      const { size } = await file.stat();
      const bytes = Buffer.from(
        padded.padEnd(size - Buffer.byteLength(padded) + padded.length, ' '),
      );
      if (bytes.length > size) return false;
      await file.write(bytes, 0, bytes.length, 0);
      return true;
    } finally {
      await file.close();
    }
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
