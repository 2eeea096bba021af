/**
 * The Redis storage driver: one hash per metric whose fields are the metric's objects (layout in
 * `redis-storage-layout.ts`).
 *
 * `updateObjects` is one MULTI (HDEL of every removed object, HSET of every put), so an update is
 * applied whole or not at all. A fenced update is instead one script that first checks that the
 * fence key (the metric's lock, on this same server and db) holds the writer's token, and
 * otherwise writes nothing and throws {@link FencedWriteError}: no write of a holder whose lock
 * was lost, even one already on its way, lands after another holder took the lock. Reads are one
 * HMGET, listing one HKEYS, `deleteMetric` one DEL. The caller owns the client it passes in (see
 * `redis/redis-connection.ts` for the options that make failures fast); unavailability is
 * reported as {@link StorageUnavailableError}.
 */
import type { Redis } from 'ioredis';

import {
  isRedisUnavailability,
  quitRedisClient,
  waitUntilConnected,
} from '../../redis/redis-connection.ts';
import { FencedWriteError, StorageUnavailableError } from '../errors.ts';
import { assertObjectName, assertObjectUpdate } from '../object-name.ts';
import type { ObjectUpdate, StorageDriver, UpdateObjectsOptions } from '../storage-driver.ts';
import type { FenceToken } from '../write-fence.ts';
import { RedisStorageLayout } from './redis-storage-layout.ts';

/** Options of {@link RedisStorageDriver}. */
export interface RedisStorageDriverOptions {
  /** The connection for commands (see `createRedisClient`). */
  readonly client: Redis;
  /** Key prefix. @defaultValue `orzo:` */
  readonly prefix?: string;
  /** Quit `client` in `close()`, for whoever handed it over. @defaultValue `false` */
  readonly closeClients?: boolean;
}

/**
 * KEYS: the metric's hash, the fence key. ARGV: the fence token, the number R of removed names,
 * the R removed names, then name/bytes pairs to put. Applies the update when the fence key holds
 * the token and returns 1; otherwise writes nothing and returns 0. NOTE: one command per field,
 * not one HSET of all: `unpack` of thousands of arguments overflows Lua's C stack.
 */
const FENCED_UPDATE_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local removed = tonumber(ARGV[2])
for i = 3, 2 + removed do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 3 + removed, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

/** Objects in Redis hashes. */
export class RedisStorageDriver implements StorageDriver {
  readonly #client: Redis;
  readonly #layout: RedisStorageLayout;
  readonly #closeClients: boolean;

  constructor(options: RedisStorageDriverOptions) {
    this.#client = options.client;
    this.#layout = new RedisStorageLayout(options.prefix);
    this.#closeClients = options.closeClients ?? false;
  }

  /** The key layout in use. */
  get layout(): RedisStorageLayout {
    return this.#layout;
  }

  async init(): Promise<void> {
    // NOTE: there is no layout to create; a round trip checks that Redis answers.
    await this.#run(() => this.#client.ping());
  }

  async readObjects(
    metricId: string,
    names: readonly string[],
  ): Promise<(Uint8Array | undefined)[]> {
    const key = this.#layout.metricKey(metricId);
    names.forEach(assertObjectName);
    if (names.length === 0) return [];
    const values = await this.#run(() => this.#client.hmgetBuffer(key, ...names));
    return values.map((value) => value ?? undefined);
  }

  async listObjects(metricId: string): Promise<string[]> {
    const key = this.#layout.metricKey(metricId);
    return this.#run(() => this.#client.hkeys(key));
  }

  async updateObjects(
    metricId: string,
    update: ObjectUpdate,
    options: UpdateObjectsOptions = {},
  ): Promise<void> {
    const key = this.#layout.metricKey(metricId);
    assertObjectUpdate(update);
    if (update.put.size === 0 && update.remove.length === 0) return;
    if (options.fence !== undefined) {
      await this.#updateFenced(metricId, update, options.fence);
      return;
    }
    const multi = this.#client.multi();
    if (update.remove.length > 0) multi.hdel(key, ...update.remove);
    if (update.put.size > 0) {
      const fields = [...update.put].flatMap(([name, data]) => [name, toBuffer(data)]);
      multi.hset(key, ...fields);
    }
    const results = await this.#run(() => multi.exec());
    if (results === null) throw toStorageError(new Error('transaction discarded'));
    for (const [error] of results) if (error !== null) throw toStorageError(error);
  }

  async #updateFenced(metricId: string, update: ObjectUpdate, fence: FenceToken): Promise<void> {
    const key = this.#layout.metricKey(metricId);
    // NOTE: puts keep their order in ARGV, so the last entry is still applied last.
    const fields = [...update.put].flatMap(([name, data]) => [name, toBuffer(data)]);
    const applied = await this.#run(() =>
      this.#client.eval(
        FENCED_UPDATE_SCRIPT,
        2,
        key,
        fence.key,
        fence.token,
        update.remove.length,
        ...update.remove,
        ...fields,
      ),
    );
    if (applied !== 1) throw new FencedWriteError(metricId);
  }

  async deleteMetric(metricId: string): Promise<void> {
    const key = this.#layout.metricKey(metricId);
    await this.#run(() => this.#client.del(key));
  }

  async close(): Promise<void> {
    if (this.#closeClients) await quitRedisClient(this.#client);
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (!(await waitUntilConnected(this.#client))) {
      throw new StorageUnavailableError(
        `storage Redis is unavailable (connection ${this.#client.status})`,
      );
    }
    try {
      return await command();
    } catch (error) {
      throw toStorageError(error);
    }
  }
}

/** The error to throw for a failed Redis call: unavailability is typed, the rest passes through. */
function toStorageError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError || !isRedisUnavailability(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageUnavailableError(`storage Redis is unavailable: ${reason}`, { cause: error });
}

/** A Buffer view of bytes, without a copy. */
function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
