/**
 * The now views in Redis, for API processes on every host: one hash, a field per host resource
 * id. A deposed poller may write one more view after its successor; the next dump replaces it,
 * which a view of the newest sample can afford (the measures themselves go through incoming).
 */
import type { Redis } from 'ioredis';

import { quitRedisClient, waitUntilConnected } from '../../redis/redis-connection.ts';
import type { HostNowBoard, HostNowView } from '../host-now-board.ts';

/** The now views under `<prefix>hosts:now`. */
export class RedisHostNowBoard implements HostNowBoard {
  readonly #client: Redis;
  readonly #key: string;
  readonly #closeClient: boolean;

  constructor(options: { client: Redis; prefix: string; closeClient?: boolean }) {
    this.#client = options.client;
    this.#key = `${options.prefix}hosts:now`;
    this.#closeClient = options.closeClient ?? false;
  }

  async write(resourceId: string, view: HostNowView): Promise<void> {
    await waitUntilConnected(this.#client);
    await this.#client.hset(this.#key, resourceId, JSON.stringify(view));
  }

  async read(resourceId: string): Promise<HostNowView | undefined> {
    await waitUntilConnected(this.#client);
    const raw = await this.#client.hget(this.#key, resourceId);
    return raw === null ? undefined : (JSON.parse(raw) as HostNowView);
  }

  async remove(resourceId: string): Promise<void> {
    await waitUntilConnected(this.#client);
    await this.#client.hdel(this.#key, resourceId);
  }

  async close(): Promise<void> {
    if (this.#closeClient) await quitRedisClient(this.#client);
  }
}
