/**
 * metricd's status in Redis, for the API processes of every host: one JSON document that only
 * the active reporter may replace. Each write checks, in the same script, that the writer still
 * holds the active lease under the epoch it was elected with, so a deposed reporter that has not
 * yet noticed cannot overwrite its successor's status (fencing).
 */
import type { Redis } from 'ioredis';

import { quitRedisClient, waitUntilConnected } from '../../redis/redis-connection.ts';
import type { MetricdStatus } from '../metricd-status.ts';
import type { StatusBoard } from '../status-board.ts';
import { reporterKeys, type ReporterKeys } from './reporter-keys.ts';

/** Options of {@link RedisStatusBoard}. */
export interface RedisStatusBoardOptions {
  readonly client: Redis;
  readonly prefix: string;
  /** Who may publish: the reporter's name and the epoch of its lease. Absent: read only. */
  readonly writer?: () => { readonly name: string; readonly epoch: number };
  /** Quit `client` in `close()`. @defaultValue `false` */
  readonly closeClient?: boolean;
}

/** KEYS: active, epoch, status. ARGV: name, epoch, document. Returns 1 when written. */
const PUBLISH_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[3], ARGV[3])
return 1
`;

/** The status document in Redis. */
export class RedisStatusBoard implements StatusBoard {
  readonly #options: RedisStatusBoardOptions;
  readonly #keys: ReporterKeys;

  constructor(options: RedisStatusBoardOptions) {
    this.#options = options;
    this.#keys = reporterKeys(options.prefix);
  }

  async publish(status: MetricdStatus): Promise<boolean> {
    const writer = this.#options.writer?.();
    if (writer === undefined) return false;
    await waitUntilConnected(this.#options.client);
    const written = await this.#options.client.eval(
      PUBLISH_SCRIPT,
      3,
      this.#keys.active,
      this.#keys.epoch,
      this.#keys.status,
      writer.name,
      String(writer.epoch),
      JSON.stringify(status),
    );
    return written === 1;
  }

  async read(): Promise<MetricdStatus | undefined> {
    await waitUntilConnected(this.#options.client);
    const raw = await this.#options.client.get(this.#keys.status);
    return raw === null ? undefined : (JSON.parse(raw) as MetricdStatus);
  }

  async close(): Promise<void> {
    if (this.#options.closeClient === true) await quitRedisClient(this.#options.client);
  }
}
