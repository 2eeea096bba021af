/**
 * The Redis incoming driver: a list of framed batches per metric, a hash of waiting metrics per
 * sack and a notification channel (layout in `redis-incoming-layout.ts`).
 *
 * Writes go in one MULTI per request (RPUSH each batch, HINCRBY its sack's hash, PUBLISH each
 * sack once), so a request's batches appear together or not at all. Reads are one LRANGE. Deletes
 * are one Lua script that checks the list still starts with the first batch read, trims exactly
 * the number read (later RPUSHes sit after them and survive), and drops the metric from its
 * sack's hash in the same step when the list is left empty. The caller owns the clients it
 * passes in; see `redis-connection.ts` for the options that make failures fast.
 */
import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import { summarizeBacklog } from '../backlog.ts';
import { SackCountChangeRefusedError } from '../errors.ts';
import type {
  Backlog,
  BacklogOptions,
  BatchHandle,
  IncomingDriver,
  MetricBacklog,
  NewBatch,
  ReadBatchesOptions,
  SackListener,
  StoredBatch,
  Unsubscribe,
} from '../incoming-driver.ts';
import { allSacks, assertSackCount, type Sack } from '../sack.ts';
import { toIncomingError, whenConnected } from './redis-connection.ts';
import {
  decodeFrame,
  encodeFrame,
  FRAME_ID_BYTES,
  RedisIncomingLayout,
} from './redis-incoming-layout.ts';

/** Options of {@link RedisIncomingDriver}. */
export interface RedisIncomingDriverOptions {
  /** The connection for commands (see `createIncomingRedisClient`). */
  readonly client: Redis;
  /** A connection dedicated to `subscribe`; without it `subscribe` throws. */
  readonly subscriber?: Redis;
  /** Key prefix. @defaultValue `orzo:` */
  readonly prefix?: string;
  /** Quit `client` and `subscriber` in `close()`, for whoever handed them over. @defaultValue `false` */
  readonly closeClients?: boolean;
}

/**
 * KEYS: the metric's list, its sack's hash. ARGV: metric id, batches read, first batch's name,
 * minus the measures read. Returns 1 when it trimmed, 0 when the batches were already gone.
 */
const DELETE_SCRIPT = `
local head = redis.call('LINDEX', KEYS[1], 0)
if not head or string.sub(head, 1, ${FRAME_ID_BYTES}) ~= ARGV[3] then return 0 end
redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[4])
end
return 1
`;

/** Commands sent per pipeline round trip by backlog scans. */
const PIPELINE_CHUNK = 1000;

/** Incoming batches in Redis. */
export class RedisIncomingDriver implements IncomingDriver {
  readonly #client: Redis;
  readonly #subscriber: Redis | undefined;
  readonly #layout: RedisIncomingLayout;
  readonly #closeClients: boolean;

  constructor(options: RedisIncomingDriverOptions) {
    this.#client = options.client;
    this.#subscriber = options.subscriber;
    this.#layout = new RedisIncomingLayout(options.prefix);
    this.#closeClients = options.closeClients ?? false;
  }

  /** The key layout in use. */
  get layout(): RedisIncomingLayout {
    return this.#layout;
  }

  async getSackCount(): Promise<number | undefined> {
    const text = await this.#run(() => this.#client.hget(this.#layout.configKey(), 'sacks'));
    return text === null ? undefined : Number(text);
  }

  async setSackCount(sacks: number): Promise<void> {
    assertSackCount(sacks);
    const current = await this.getSackCount();
    if (current !== undefined && current !== sacks) {
      const pipeline = this.#client.pipeline();
      for (const sack of allSacks(current)) pipeline.exists(this.#layout.sackKey(sack));
      const results = await this.#run(() => pipeline.exec());
      if (replies(results).some((count) => count !== 0)) {
        throw new SackCountChangeRefusedError(current, sacks);
      }
    }
    await this.#run(() => this.#client.hset(this.#layout.configKey(), 'sacks', String(sacks)));
  }

  async addBatches(batches: readonly NewBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const multi = this.#client.multi();
    const notified = new Map<string, number>();
    for (const { sack, metricId, data, measures } of batches) {
      const frame = encodeFrame(randomBytes(FRAME_ID_BYTES), measures, data);
      multi.rpush(this.#layout.metricKey(sack, metricId), frame);
      multi.hincrby(this.#layout.sackKey(sack), metricId, measures);
      notified.set(this.#layout.sackKey(sack), sack.number);
    }
    for (const number of notified.values()) multi.publish(this.#layout.channel(), String(number));
    replies(await this.#run(() => multi.exec()));
  }

  async listMetrics(sack: Sack): Promise<string[]> {
    return this.#run(() => this.#client.hkeys(this.#layout.sackKey(sack)));
  }

  async readBatches(
    sack: Sack,
    metricId: string,
    options: ReadBatchesOptions = {},
  ): Promise<StoredBatch[]> {
    if (options.limit !== undefined && options.limit < 1) return [];
    const stop = options.limit === undefined ? -1 : options.limit - 1;
    const key = this.#layout.metricKey(sack, metricId);
    const frames = await this.#run(() => this.#client.lrangeBuffer(key, 0, stop));
    return frames.map((frame, index) => {
      const { id, measures, data } = decodeFrame(frame);
      const handle = `${index}:${id.toString('hex')}:${measures}` as BatchHandle;
      return { handle, data, measures };
    });
  }

  async deleteBatches(
    sack: Sack,
    metricId: string,
    handles: readonly BatchHandle[],
  ): Promise<void> {
    if (handles.length === 0) return;
    const { firstId, measures } = parseHandles(handles);
    const keys = [this.#layout.metricKey(sack, metricId), this.#layout.sackKey(sack)];
    const args = [metricId, String(handles.length), firstId, String(-measures)];
    await this.#run(() => this.#client.eval(DELETE_SCRIPT, keys.length, ...keys, ...args));
  }

  async backlog(sacks: number, options: BacklogOptions = {}): Promise<Backlog> {
    const waiting = await this.#waitingPerSack(allSacks(sacks));
    const entries = waiting.flatMap(({ sack, metrics }) =>
      Object.entries(metrics).map(([metricId, measures]) => ({ sack, metricId, measures })),
    );
    const lengths = await this.#chunked(entries, (pipeline, { sack, metricId }) =>
      pipeline.llen(this.#layout.metricKey(sack, metricId)),
    );
    const perSack = new Map<number, { metrics: number; batches: number; measures: number }>();
    const details = new Map<string, MetricBacklog>();
    entries.forEach(({ sack, metricId, measures }, index) => {
      const metric = { batches: Number(lengths[index]), measures: Number(measures) };
      if (metric.batches === 0) return;
      const figures = perSack.get(sack.number) ?? { metrics: 0, batches: 0, measures: 0 };
      figures.metrics += 1;
      figures.batches += metric.batches;
      figures.measures += metric.measures;
      perSack.set(sack.number, figures);
      if (options.details === true) details.set(metricId, metric);
    });
    return summarizeBacklog(perSack, options.details === true ? details : undefined);
  }

  /** Calls `onSack` with the sack number of every write, until the returned function is called. */
  readonly subscribe = async (onSack: SackListener): Promise<Unsubscribe> => {
    const subscriber = this.#subscriber;
    if (subscriber === undefined) throw new Error('this driver was given no subscriber connection');
    const channel = this.#layout.channel();
    const listener = (from: string, message: string): void => {
      const sack = Number(message);
      if (from === channel && Number.isInteger(sack)) onSack(sack);
    };
    subscriber.on('message', listener);
    try {
      await subscriber.subscribe(channel);
    } catch (error) {
      subscriber.off('message', listener);
      throw toIncomingError(error);
    }
    return async () => {
      subscriber.off('message', listener);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    };
  };

  async close(): Promise<void> {
    if (!this.#closeClients) return;
    await Promise.all([this.#client, this.#subscriber].map((client) => quit(client)));
  }

  async #waitingPerSack(
    sacks: readonly Sack[],
  ): Promise<{ sack: Sack; metrics: Record<string, string> }[]> {
    const hashes = await this.#chunked(sacks, (pipeline, sack) =>
      pipeline.hgetall(this.#layout.sackKey(sack)),
    );
    return sacks.map((sack, index) => ({
      sack,
      metrics: hashes[index] as Record<string, string>,
    }));
  }

  /** Sends one command per item, {@link PIPELINE_CHUNK} per round trip; returns the replies. */
  async #chunked<T>(
    items: readonly T[],
    add: (pipeline: ReturnType<Redis['pipeline']>, item: T) => unknown,
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let start = 0; start < items.length; start += PIPELINE_CHUNK) {
      const pipeline = this.#client.pipeline();
      for (const item of items.slice(start, start + PIPELINE_CHUNK)) add(pipeline, item);
      out.push(...replies(await this.#run(() => pipeline.exec())));
    }
    return out;
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    await whenConnected(this.#client);
    try {
      return await command();
    } catch (error) {
      throw toIncomingError(error);
    }
  }
}

/** The replies of a pipeline or MULTI, throwing the first error among them. */
function replies(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw toIncomingError(new Error('transaction discarded'));
  return results.map(([error, reply]) => {
    if (error !== null) throw toIncomingError(error);
    return reply;
  });
}

/** The first batch's name and the measures of handles that must be a read's leading part. */
function parseHandles(handles: readonly BatchHandle[]): { firstId: Buffer; measures: number } {
  let measures = 0;
  let firstId = Buffer.alloc(0);
  handles.forEach((handle, index) => {
    const [position, id, count] = handle.split(':');
    if (Number(position) !== index || id === undefined || !/^\d+$/.test(count ?? '')) {
      throw new RangeError('handles must be the leading batches of one read, in order');
    }
    if (index === 0) firstId = Buffer.from(id, 'hex');
    measures += Number(count);
  });
  return { firstId, measures };
}

async function quit(client: Redis | undefined): Promise<void> {
  if (client === undefined || client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    // NOTE: quitting a client that is reconnecting fails; dropping the socket is what we want.
    client.disconnect();
  }
}
