/**
 * A metricd's admin socket (`<dataDir>/metricd/<name>.asok`), through which the API of the same
 * host gathers the op dumps of the reporter and of every worker. Without one (a data folder whose
 * path is too long for a Unix socket) metricd still runs; only its op dumps are out of reach.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { EngineConfig } from '../config/index.ts';
import {
  ADMIN_SOCKET_SUFFIX,
  isOpsCommand,
  serveAdminSocket,
  type AdminSocket,
} from '../coordination/index.ts';
import type { Logger } from '../log/logger.ts';
import type { WorkerSupervisor } from '../metricd/index.ts';
import { dumpOps, type OpTracker } from '../optracker/index.ts';

/** How long the admin socket waits for each worker's dump. */
const OPS_DUMP_TIMEOUT_MS = 2_000;

/** What a metricd's admin socket answers for. */
export interface MetricdAdminSocketOptions {
  readonly config: EngineConfig;
  /** `<host>.<pid>`. */
  readonly name: string;
  /** The reporter's own tracker. */
  readonly tracker: OpTracker;
  readonly supervisor: Pick<WorkerSupervisor, 'dumpOps'>;
  readonly logger: Pick<Logger, 'warn'>;
}

/** Serves the op dumps of a reporter's tracker and of its workers. */
export async function serveMetricdAdminSocket(
  options: MetricdAdminSocketOptions,
): Promise<AdminSocket | undefined> {
  const { config, name, tracker, supervisor, logger } = options;
  const folder = join(config.dataDir, 'metricd');
  await mkdir(folder, { recursive: true });
  try {
    return await serveAdminSocket(
      join(folder, `${name}${ADMIN_SOCKET_SUFFIX}`),
      async (command) => {
        if (!isOpsCommand(command)) return { error: 'unknown command' };
        return {
          [`${name}.reporter`]: dumpOps(tracker, command.dump, command.filter),
          ...(await supervisor.dumpOps(command.dump, command.filter, OPS_DUMP_TIMEOUT_MS)),
        };
      },
    );
  } catch (error) {
    logger.warn(
      { err: error },
      'metricd admin socket unavailable; op dumps will not reach the API',
    );
    return undefined;
  }
}
