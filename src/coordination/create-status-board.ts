/**
 * The status board a reader of metricd's status (the API) opens, from the coordination setting:
 * the status file of the data folder (`local`) or the document the active reporter keeps in Redis.
 */
import { createRedisClient } from '../redis/redis-connection.ts';
import { parseCoordinationUrl } from './coordination-url.ts';
import { RedisStatusBoard } from './redis/redis-status-board.ts';
import { FileStatusBoard, type StatusBoard } from './status-board.ts';

/** A read-only status board for `coordinationUrl`; it owns the connection it opens. */
export function createStatusBoardReader(coordinationUrl: string, dataDir: string): StatusBoard {
  const coordination = parseCoordinationUrl(coordinationUrl);
  if (coordination.kind === 'local') return new FileStatusBoard(dataDir);
  return new RedisStatusBoard({
    client: createRedisClient(coordination.url, coordination.redisOptions),
    prefix: coordination.prefix,
    closeClient: true,
  });
}
