/**
 * How Orzo's Redis drivers talk to Redis when it is down: fail fast, recover alone.
 *
 * With ioredis' defaults a command issued while Redis is unreachable waits in the offline queue
 * and is retried over 20 reconnections, so a request would hang for a long time. These options
 * instead reject at once while disconnected (`enableOfflineQueue: false`), reject the commands in
 * flight when the connection drops (`maxRetriesPerRequest: 0`) without replaying them later
 * (`autoResendUnfulfilledCommands: false`: the caller was told the write failed and may retry it),
 * bound connecting and each command, and keep reconnecting in the background with a capped
 * back-off, so a driver recovers by itself when Redis comes back. A write that fails this way may
 * still have been applied, so every driver's writes must be safe to repeat.
 *
 * Each driver maps unavailability to its own error class (see {@link isRedisUnavailability} and
 * {@link waitUntilConnected}); this module knows no driver.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** ioredis options a caller may add; the reply mapping is fixed by this module. */
export type ExtraRedisOptions = Omit<RedisOptions, 'replyMapping'>;

/** Options every connection of a Redis driver should use. */
export const FAIL_FAST_REDIS_OPTIONS = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: 2000,
  commandTimeout: 5000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), 1000),
}) satisfies RedisOptions;

/**
 * A client with {@link FAIL_FAST_REDIS_OPTIONS} over `options`, whose commands issued in one turn
 * of the event loop go out in one write (ioredis' auto-pipelining): a metricd pass has hundreds of
 * metrics in flight, each taking its lock, reading and trimming its list and releasing the lock,
 * and Redis then reads their commands together instead of one socket read each.
 */
export function createRedisClient(url: string, options: ExtraRedisOptions = {}): Redis {
  // NOTE: the drivers read replies in ioredis' legacy (RESP2-shaped) form.
  const client = new Redis(url, {
    enableAutoPipelining: true,
    ...options,
    ...FAIL_FAST_REDIS_OPTIONS,
    replyMapping: 'legacy',
  });
  // NOTE: without a listener ioredis prints every failed reconnection; callers that want them
  // subscribe to 'error' themselves.
  client.on('error', () => undefined);
  return client;
}

/**
 * A connection for `subscribe`: as {@link createRedisClient}, but it connects on its first
 * SUBSCRIBE, which it holds until connected (a lost connection still fails it at once), and it
 * resubscribes by itself after reconnecting.
 */
export function createRedisSubscriber(url: string, options: ExtraRedisOptions = {}): Redis {
  const subscriber = new Redis(url, {
    ...options,
    ...FAIL_FAST_REDIS_OPTIONS,
    enableOfflineQueue: true,
    lazyConnect: true,
    autoResubscribe: true,
    replyMapping: 'legacy',
  });
  subscriber.on('error', () => undefined);
  return subscriber;
}

/**
 * A connection for BullMQ (metricd's block queue). BullMQ retries its own commands across
 * reconnections and requires ioredis to keep them queued meanwhile (`maxRetriesPerRequest:
 * null`), so these connections wait out a Redis restart instead of failing fast; they reconnect
 * with the same capped back-off.
 */
export function createQueueRedisClient(url: string, options: ExtraRedisOptions = {}): Redis {
  const client = new Redis(url, {
    ...options,
    maxRetriesPerRequest: null,
    connectTimeout: FAIL_FAST_REDIS_OPTIONS.connectTimeout,
    retryStrategy: FAIL_FAST_REDIS_OPTIONS.retryStrategy,
    replyMapping: 'legacy',
  });
  client.on('error', () => undefined);
  return client;
}

/** Reply errors that mean "not now" rather than "wrong request". */
const TRANSIENT_REPLIES = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|MISCONF|OOM)\b/;

/**
 * Whether a failed Redis call failed because Redis is unavailable (connection lost or refused,
 * timeout, a transient reply such as LOADING), as opposed to a wrong request (WRONGTYPE, …).
 */
export function isRedisUnavailability(error: unknown): boolean {
  const cause = redisErrorCause(error);
  const isReply = cause instanceof Error && cause.name === 'ReplyError';
  return !isReply || TRANSIENT_REPLIES.test(cause.message);
}

/** How Redis says it refused a whole transaction at `EXEC` (Redis 7 checks memory there too). */
const EXEC_REFUSAL = /^EXECABORT Transaction discarded because of: (.+)$/s;

/**
 * The error that decided a failed call: for a MULTI that Redis refused as a whole (`EXECABORT`),
 * the refusal behind it (an `OOM` when Redis is full), either of a queued command, which ioredis
 * keeps in `previousErrors`, or of the `EXEC` itself, named in its message; otherwise the error
 * itself.
 */
export function redisErrorCause(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.startsWith('EXECABORT')) return error;
  const { previousErrors } = error as Error & { previousErrors?: unknown };
  if (Array.isArray(previousErrors) && previousErrors[0] instanceof Error) return previousErrors[0];
  const refusal = EXEC_REFUSAL.exec(error.message)?.[1];
  if (refusal === undefined) return error;
  const cause = new Error(refusal, { cause: error });
  cause.name = error.name;
  return cause;
}

/** Clients that have been connected at least once. */
const CONNECTED_ONCE = new WeakSet<Redis>();

/**
 * Resolves to whether a client may take a command; false at once when it is known to be
 * disconnected, whatever its options. NOTE: a client that has never been connected yet (a command
 * right after start, as `orzo upgrade` issues) is waited for, until it is ready, its first
 * connection attempt fails (refused, unknown host) or its connect timeout passes; a client that
 * was connected and lost its connection fails without waiting.
 */
export async function waitUntilConnected(client: Redis): Promise<boolean> {
  const { status } = client;
  // NOTE: 'wait' is a lazy client that connects on its first command.
  if (status === 'ready' || status === 'wait') {
    CONNECTED_ONCE.add(client);
    return true;
  }
  if (!CONNECTED_ONCE.has(client) && (status === 'connecting' || status === 'connect')) {
    if (await firstConnection(client)) {
      CONNECTED_ONCE.add(client);
      return true;
    }
  }
  return false;
}

/** The wait for a client's first connection, shared by every command issued meanwhile. */
const FIRST_CONNECTIONS = new WeakMap<Redis, Promise<boolean>>();

function firstConnection(client: Redis): Promise<boolean> {
  let pending = FIRST_CONNECTIONS.get(client);
  if (pending === undefined) {
    pending = readyWithin(client, client.options.connectTimeout ?? 10_000).finally(() => {
      FIRST_CONNECTIONS.delete(client);
    });
    FIRST_CONNECTIONS.set(client, pending);
  }
  return pending;
}

function readyWithin(client: Redis, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      client.off('error', onEnd);
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
    client.once('error', onEnd);
  });
}

/** Closes a client politely, or drops its socket when it cannot be (e.g. while reconnecting). */
export async function quitRedisClient(client: Redis | undefined): Promise<void> {
  if (client === undefined || client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    // NOTE: quitting a client that is reconnecting fails; dropping the socket is what we want.
    client.disconnect();
  }
}
