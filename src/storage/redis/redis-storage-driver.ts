/**
 * The Redis storage driver: one hash per metric whose fields are the metric's objects (layout in
 * `redis-storage-layout.ts`).
 *
 * `updateObjects` is one MULTI (HSET of every put, HDEL of every removed object), so an update is
 * applied whole or not at all. Reads are one HMGET, listing one HKEYS, `deleteMetric` one DEL.
 * The caller owns the client it passes in (see `redis/redis-connection.ts` for the options that
 * make failures fast); unavailability is reported as {@link StorageUnavailableError}.
 */
import type { Redis } from 'ioredis';

import {
  isRedisUnavailability,
  quitRedisClient,
  waitUntilConnected,
} from '../../redis/redis-connection.ts';
import { StorageUnavailableError } from '../errors.ts';
import { assertObjectName, assertObjectUpdate } from '../object-name.ts';
import type { ObjectUpdate, StorageDriver } from '../storage-driver.ts';
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

  async updateObjects(metricId: string, update: ObjectUpdate): Promise<void> {
    const key = this.#layout.metricKey(metricId);
    assertObjectUpdate(update);
    if (update.put.size === 0 && update.remove.length === 0) return;
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
