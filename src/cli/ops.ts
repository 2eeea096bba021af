/**
 * `orzo ops <dump>`: asks a running API for one op dump of itself and of every metricd on its
 * data folder (`GET /v1/ops/<dump>`, Ceph's `ceph daemon … dump_ops_in_flight` and siblings), and
 * prints the answer as indented JSON.
 *
 * Exit status: 0 printed; 1 the API answered an error (printed to stderr); 2 bad usage or no
 * answer from the API.
 */
import type { ApiConfig, EngineConfig } from '../config/index.ts';
import { isOpsDumpName, OPS_DUMPS } from '../optracker/index.ts';

/** The flags of `orzo ops` that take a value. */
export const OPS_VALUE_FLAGS: readonly string[] = ['url', 'user', 'token', 'kind', 'description'];

/** What `orzo ops` was asked. */
export interface OpsCommandArgs {
  /** The first positional after `ops`. */
  readonly dump: string | undefined;
  /** The command's flags, as `loadConfig` returns them. */
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
}

/** Short names the command also takes. */
const DUMP_ALIASES: Readonly<Record<string, string>> = {
  slow: 'historic-slow',
  'by-duration': 'historic-by-duration',
};

/** Seconds to wait for the API; it waits up to 5 s for metricd's dumps itself. */
const REQUEST_TIMEOUT_MS = 15_000;

/** Asks for the dump and prints it; resolves with the exit status. */
export async function runOps(config: EngineConfig, args: OpsCommandArgs): Promise<number> {
  const { flags } = args;
  const dump = DUMP_ALIASES[args.dump ?? ''] ?? args.dump;
  if (!isOpsDumpName(dump)) return usage(`expected one of ${OPS_DUMPS.join(', ')}`);
  const values = new Map<string, string>();
  for (const name of OPS_VALUE_FLAGS) {
    const value = flags[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return usage(`--${name} needs a value`);
    values.set(name, value);
  }
  const base = values.get('url') ?? apiUrl(config.api);
  // NOTE: relative to the base with a trailing slash, so that an API behind a path prefix works.
  const url = URL.canParse(base) ? new URL(`v1/ops/${dump}`, base.replace(/\/?$/, '/')) : undefined;
  if (url === undefined) return usage(`--url ${base} is no URL`);
  for (const name of ['kind', 'description']) {
    const value = values.get(name);
    if (value !== undefined) url.searchParams.set(name, value);
  }
  const user = values.get('user') ?? 'admin';
  // NOTE: an API token (`--auth verified`) from the flag or, kept off the command line, the
  // environment; otherwise Gnocchi's Basic header with the user and no password.
  const token = values.get('token') ?? process.env.ORZO_API_TOKEN;
  const authorization =
    token === undefined || token === ''
      ? `Basic ${Buffer.from(`${user}:`).toString('base64')}`
      : `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    process.stderr.write(`orzo ops: no answer from ${url.origin}: ${String(cause)}\n`);
    return 2;
  }
  const text = await response.text();
  if (!response.ok) {
    process.stderr.write(`orzo ops: ${response.status} ${response.statusText}: ${text}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}

/** The API's address as a client on this machine reaches it (wildcard addresses → loopback). */
export function apiUrl(api: Pick<ApiConfig, 'host' | 'port'>): string {
  const host = api.host === '0.0.0.0' ? '127.0.0.1' : api.host === '::' ? '::1' : api.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${api.port}`;
}

function usage(message: string): number {
  process.stderr.write(
    `orzo ops: ${message}\nusage: orzo ops <${[...OPS_DUMPS, 'slow', 'by-duration'].join('|')}> ` +
      '[--url URL] [--user NAME] [--kind KIND] [--description TEXT]\n',
  );
  return 2;
}
