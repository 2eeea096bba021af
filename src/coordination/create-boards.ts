/**
 * The boards of the coordination target: files in the data folder (`local`) or keys in Redis.
 * The status board a reader of metricd's status (the API) opens, and the hosts' now views.
 */
import type { CoordinationTarget } from '../config/index.ts';
import { createRedisClient } from '../redis/redis-connection.ts';
import { FileHostNowBoard, type HostNowBoard } from './host-now-board.ts';
import { RedisHostNowBoard } from './redis/redis-host-now-board.ts';
import { RedisStatusBoard } from './redis/redis-status-board.ts';
import { FileStatusBoard, type StatusBoard } from './status-board.ts';

/** A read-only status board for the coordination target; it owns the connection it opens. */
export function createStatusBoardReader(
  coordination: CoordinationTarget,
  dataDir: string,
): StatusBoard {
  if (coordination.kind === 'local') return new FileStatusBoard(dataDir);
  return new RedisStatusBoard(ownedClient(coordination));
}

/** The hosts' now views for the coordination target; it owns the connection it opens. */
export function createHostNowBoard(
  coordination: CoordinationTarget,
  dataDir: string,
): HostNowBoard {
  if (coordination.kind === 'local') return new FileHostNowBoard(dataDir);
  return new RedisHostNowBoard(ownedClient(coordination));
}

/** A new client of the target's Redis, with its prefix, that the board quits on close. */
function ownedClient(coordination: Exclude<CoordinationTarget, { kind: 'local' }>) {
  return {
    client: createRedisClient(coordination.url),
    prefix: coordination.prefix,
    closeClient: true,
  };
}
