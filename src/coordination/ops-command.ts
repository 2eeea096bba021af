/**
 * The admin socket command that asks a metricd reporter for one op tracker dump of itself and of
 * each of its workers, and its client side for the API.
 */
import { join } from 'node:path';

import { isOpsDumpName, type OpFilter, type OpsDumpName } from '../optracker/index.ts';
import { askAdminSockets } from './admin-socket.ts';

/** Asks for one dump, optionally filtered. */
export interface OpsCommand {
  readonly type: 'ops';
  readonly dump: OpsDumpName;
  readonly filter?: OpFilter;
}

/** Whether a command received on an admin socket is an {@link OpsCommand}. */
export function isOpsCommand(value: unknown): value is OpsCommand {
  if (typeof value !== 'object' || value === null) return false;
  const { type, dump, filter } = value as Record<string, unknown>;
  return (
    type === 'ops' && isOpsDumpName(dump) && (filter === undefined || typeof filter === 'object')
  );
}

/**
 * One dump from every metricd running on a data folder, by process name
 * (`<host>.<pid>.reporter`, `<host>.<pid>.worker-<i>`); a reporter that fails to answer appears
 * as `<host>.<pid>` with `{ error }`.
 */
export async function gatherMetricdOps(
  dataDir: string,
  command: OpsCommand,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const answers = await askAdminSockets(join(dataDir, 'metricd'), command, timeoutMs);
  const merged: Record<string, unknown> = {};
  for (const [reporter, answer] of Object.entries(answers)) {
    const failed = typeof answer !== 'object' || answer === null || 'error' in answer;
    if (failed) merged[reporter] = answer;
    else Object.assign(merged, answer);
  }
  return merged;
}
