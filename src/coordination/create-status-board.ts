/**
 * The status board a reader of metricd's status (the API) opens, from the coordination target:
 * the status file of the data folder (`local`) or the document the active reporter keeps in Redis.
 */
import type { CoordinationTarget } from '../config/index.ts';
import { createRedisClient } from '../redis/redis-connection.ts';
import { RedisStatusBoard } from './redis/redis-status-board.ts';
import { FileStatusBoard, type StatusBoard } from './status-board.ts';

/** A read-only status board for the coordination target; it owns the connection it opens. */
export function createStatusBoardReader(
  coordination: CoordinationTarget,
  dataDir: string,
): StatusBoard {
  if (coordination.kind === 'local') return new FileStatusBoard(dataDir);
  return new RedisStatusBoard({
    client: createRedisClient(coordination.url),
    prefix: coordination.prefix,
    closeClient: true,
  });
}
