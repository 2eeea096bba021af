/**
 * The now view of every polled host, gpperfmon's "now" files: the poller replaces a host's view
 * after each dump, the API reads it for `GET /v1/host/{name}/now`. It holds only the newest
 * sample, so it is written without a flush; after a crash the next quantum writes it again. On
 * one machine each host is a JSON file in the data folder, named by its resource id.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { errorCode, replaceFile, unlinkIfPresent } from '../fs/fs-helpers.ts';

/** One host as the poller last saw it. */
export interface HostNowView {
  readonly host: string;
  readonly address: string;
  /** Whether the agent answered the last dump. */
  readonly up: boolean;
  /** ISO 8601 times: the last answer, the newest sample, and this view's writing. */
  readonly lastContact: string | null;
  readonly sampledAt: string | null;
  readonly updatedAt: string;
  /** Seconds between two dumps of this host. */
  readonly quantumSeconds: number;
  /** Samples the agent dropped from its full queue since it started. */
  readonly agentDropped: number;
  readonly lastError: string | null;
  /** The newest sample by metric name, with `<name>:rate` for counters. */
  readonly figures: Readonly<Record<string, number>>;
}

/** Where now views are written and read, by host resource id. */
export interface HostNowBoard {
  write(resourceId: string, view: HostNowView): Promise<void>;
  read(resourceId: string): Promise<HostNowView | undefined>;
  remove(resourceId: string): Promise<void>;
  close(): Promise<void>;
}

/** The views as `<dataDir>/hosts/now/<resource id>.json`. */
export class FileHostNowBoard implements HostNowBoard {
  readonly #folder: string;
  #ready: Promise<unknown> | undefined;

  constructor(dataDir: string) {
    this.#folder = join(dataDir, 'hosts', 'now');
  }

  async write(resourceId: string, view: HostNowView): Promise<void> {
    this.#ready ??= mkdir(this.#folder, { recursive: true });
    await this.#ready;
    await replaceFile(this.#path(resourceId), JSON.stringify(view), false);
  }

  async read(resourceId: string): Promise<HostNowView | undefined> {
    try {
      return JSON.parse(await readFile(this.#path(resourceId), 'utf8')) as HostNowView;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  remove(resourceId: string): Promise<void> {
    unlinkIfPresent(this.#path(resourceId));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #path(resourceId: string): string {
    // NOTE: ids are UUIDs; anything else must not name a path outside the folder.
    if (!/^[0-9a-f-]{36}$/.test(resourceId)) throw new Error(`not a resource id: ${resourceId}`);
    return join(this.#folder, `${resourceId}.json`);
  }
}
