/**
 * The Redis incoming driver's connections: the fail-fast clients of `redis/redis-connection.ts`,
 * with unavailability reported as {@link IncomingUnavailableError}.
 *
 * A write that fails while Redis is unreachable may still have been applied; a client retrying it
 * stores the batch twice, which processing absorbs (the same timestamp and value are one point).
 */
import type { Redis } from 'ioredis';

import {
  createRedisClient,
  createRedisSubscriber,
  FAIL_FAST_REDIS_OPTIONS,
  isRedisUnavailability,
  redisErrorCause,
  waitUntilConnected,
  type ExtraRedisOptions,
} from '../../redis/redis-connection.ts';
import { IncomingUnavailableError } from '../errors.ts';

/** Options every connection of the incoming driver uses. */
export const INCOMING_REDIS_OPTIONS = FAIL_FAST_REDIS_OPTIONS;

/** A client for the incoming driver, with {@link INCOMING_REDIS_OPTIONS} over `options`. */
export function createIncomingRedisClient(url: string, options: ExtraRedisOptions = {}): Redis {
  return createRedisClient(url, options);
}

/** A connection for the incoming driver's `subscribe` (see `createRedisSubscriber`). */
export function createIncomingRedisSubscriber(url: string, options: ExtraRedisOptions = {}): Redis {
  return createRedisSubscriber(url, options);
}

/** The error to throw for a failed Redis call: unavailability is typed, the rest passes through. */
export function toIncomingError(error: unknown): unknown {
  if (error instanceof IncomingUnavailableError || !isRedisUnavailability(error)) return error;
  const cause = redisErrorCause(error);
  const reason = cause instanceof Error ? cause.message : String(cause);
  // NOTE: a full Redis refuses every write of a MULTI before running any: nothing was stored.
  const state = reason.startsWith('OOM') ? 'out of memory (maxmemory reached)' : 'unavailable';
  return new IncomingUnavailableError(`incoming Redis is ${state}: ${reason}`, { cause: error });
}

/** Resolves when a client may take a command; throws {@link IncomingUnavailableError} otherwise. */
export async function whenConnected(client: Redis): Promise<void> {
  if (await waitUntilConnected(client)) return;
  throw new IncomingUnavailableError(`incoming Redis is unavailable (connection ${client.status})`);
}
