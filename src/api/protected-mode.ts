/**
 * Protected mode, after Redis's: the `basic` mode takes any password and `noauth` believes the
 * headers, so on an address others can reach anyone could read, write and delete everything.
 * The API then refuses to start unless it listens on loopback only or is told, with
 * `api.protectedMode = false`, that something in front of it (a proxy, a firewall) does the
 * authenticating.
 */
import { isIPv4, isIPv6 } from 'node:net';

import { ConfigError } from '../errors/config-error.ts';

/** Auth modes that verify nothing the client says. */
const TRUSTING_MODES: ReadonlySet<string> = new Set(['basic', 'noauth']);

/** Whether a listen address reaches this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (isIPv6(bare)) {
    const lower = bare.toLowerCase();
    return lower === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(lower);
  }
  return false;
}

/** Throws `ConfigError` when the API would listen unprotected where others can reach it. */
export function assertProtectedListen(api: {
  readonly host: string;
  readonly auth: string;
  readonly protectedMode: boolean;
}): void {
  if (!api.protectedMode || !TRUSTING_MODES.has(api.auth) || isLoopbackHost(api.host)) return;
  const trusts = api.auth === 'basic' ? 'takes any password' : 'believes any X-User-Id header';
  throw new ConfigError(
    `refusing to listen on ${api.host} with --auth ${api.auth}, which ${trusts}: anyone who ` +
      'reaches this port could read, write and delete everything. Listen on a loopback address, ' +
      'or, if a proxy or firewall in front of Orzo does the authenticating, set ' +
      'api.protectedMode to false (--protected-mode false, ORZO_API_PROTECTED_MODE=false)',
    { path: 'api.protectedMode' },
  );
}
