/**
 * How the Redis incoming driver talks to Redis when it is down: fail fast, recover alone.
 *
 * With ioredis' defaults a command issued while Redis is unreachable waits in the offline queue
 * and is retried over 20 reconnections, so an API request would hang for a long time. The
 * recommended options instead reject at once while disconnected (`enableOfflineQueue: false`),
 * reject the commands in flight when the connection drops (`maxRetriesPerRequest: 0`) without
 * replaying them later (`autoResendUnfulfilledCommands: false`: the client was told the write
 * failed and may retry it), bound connecting and each command, and keep reconnecting in the
 * background with a capped back-off, so the driver recovers by itself when Redis comes back.
 * A write that fails this way may still have been applied; a client retrying it stores the batch
 * twice, which processing absorbs (the same timestamp and value are one point).
 */
import { Redis, type RedisOptions } from 'ioredis';

import { IncomingUnavailableError } from '../errors.ts';

/** Options every connection of the incoming driver should use. */
export const INCOMING_REDIS_OPTIONS = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: 2000,
  commandTimeout: 5000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), 1000),
}) satisfies RedisOptions;

/** A client for the incoming driver, with {@link INCOMING_REDIS_OPTIONS} over `options`. */
export function createIncomingRedisClient(
  url: string,
  options: Omit<RedisOptions, 'replyMapping'> = {},
): Redis {
  // NOTE: the driver reads replies in ioredis' legacy (RESP2-shaped) form.
  const client = new Redis(url, { ...options, ...INCOMING_REDIS_OPTIONS, replyMapping: 'legacy' });
  // NOTE: without a listener ioredis prints every failed reconnection; callers that want them
  // subscribe to 'error' themselves.
  client.on('error', () => undefined);
  return client;
}

/**
 * A connection for `subscribe`: as {@link createIncomingRedisClient}, but it connects on its first
 * SUBSCRIBE, which it holds until connected (a lost connection still fails it at once), and it
 * resubscribes by itself after reconnecting.
 */
export function createIncomingRedisSubscriber(
  url: string,
  options: Omit<RedisOptions, 'replyMapping'> = {},
): Redis {
  const subscriber = new Redis(url, {
    ...options,
    ...INCOMING_REDIS_OPTIONS,
    enableOfflineQueue: true,
    lazyConnect: true,
    autoResubscribe: true,
    replyMapping: 'legacy',
  });
  subscriber.on('error', () => undefined);
  return subscriber;
}

/** Reply errors that mean "not now" rather than "wrong request". */
const TRANSIENT_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|MISCONF|OOM)\b/;

/** The error to throw for a failed Redis call: unavailability is typed, the rest passes through. */
export function toIncomingError(error: unknown): unknown {
  if (error instanceof IncomingUnavailableError) return error;
  const isReply = error instanceof Error && error.name === 'ReplyError';
  if (isReply && !TRANSIENT_REPLIES.test(error.message)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new IncomingUnavailableError(`incoming Redis is unavailable: ${reason}`, { cause: error });
}

/** Clients that have been connected at least once. */
const CONNECTED_ONCE = new WeakSet<Redis>();

/**
 * Resolves when a client may take a command, and fails at once when it is known to be
 * disconnected, whatever its options. NOTE: a client that has never been connected yet (a command
 * right after start, as `orzo upgrade` issues) is waited for, up to its connect timeout; only a
 * client that was connected and lost its connection fails without waiting.
 */
export async function whenConnected(client: Redis): Promise<void> {
  const { status } = client;
  // NOTE: 'wait' is a lazy client that connects on its first command.
  if (status === 'ready' || status === 'wait') {
    CONNECTED_ONCE.add(client);
    return;
  }
  if (!CONNECTED_ONCE.has(client) && (status === 'connecting' || status === 'connect')) {
    if (await readyWithin(client, client.options.connectTimeout ?? 10_000)) {
      CONNECTED_ONCE.add(client);
      return;
    }
  }
  throw new IncomingUnavailableError(`incoming Redis is unavailable (connection ${client.status})`);
}

function readyWithin(client: Redis, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      resolve(ready);
    };
    const onReady = () => {
      done(true);
    };
    const onEnd = () => {
      done(false);
    };
    const timer = setTimeout(() => {
      done(client.status === 'ready');
    }, timeoutMs);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}
