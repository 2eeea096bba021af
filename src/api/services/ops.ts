/**
 * The op dumps of `GET /v1/ops/<dump>`: this process's tracker and every metricd on the data
 * folder, the local one taken first, so that both views are of about the same instant.
 */
import { hostname } from 'node:os';

import {
  dumpOps,
  isOpsDumpName,
  OPS_DUMPS,
  type OpFilter,
  type OpsDump,
  type OpTracker,
} from '../../optracker/index.ts';
import type { MetricdOpsGatherer } from '../api-deps.ts';
import { OpsDumpNotFoundError } from '../http/request-errors.ts';

/** What gathering op dumps needs. */
export interface OpsContext {
  readonly tracker: OpTracker;
  /** metricd's dumps; without it, the answer has none. */
  readonly metricdOps?: MetricdOpsGatherer | undefined;
}

/** The answer: dumps by process name, this API's apart from metricd's. */
export interface OpsJson {
  /** One entry, named by {@link apiProcessName}. */
  readonly api: Readonly<Record<string, OpsDump>>;
  /** `<host>.<pid>.reporter` and `<host>.<pid>.worker-<i>` of every metricd. */
  readonly metricd: Readonly<Record<string, unknown>>;
}

/** The name of this process among the dumps: `<host>.<pid>.api`. */
export function apiProcessName(): string {
  return `${hostname()}.${process.pid}.api`;
}

/** Runs dump `name` here and in every metricd; throws `OpsDumpNotFoundError` for an unknown name. */
export async function gatherOps(
  context: OpsContext,
  name: string,
  filter: OpFilter,
): Promise<OpsJson> {
  if (!isOpsDumpName(name)) throw new OpsDumpNotFoundError(name, OPS_DUMPS);
  const api = { [apiProcessName()]: dumpOps(context.tracker, name, filter) };
  const metricd = (await context.metricdOps?.({ type: 'ops', dump: name, filter })) ?? {};
  return { api, metricd };
}
