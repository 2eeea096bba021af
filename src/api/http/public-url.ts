/**
 * The URL clients see the API at, for `Location`, `Link` and the hrefs of the root documents.
 *
 * Behind a reverse proxy the scheme, host and path prefix come from `Forwarded` (RFC 7239, first
 * entry) or else `X-Forwarded-Proto` / `X-Forwarded-Host`, plus `X-Forwarded-Prefix`, as Gnocchi's
 * HTTPProxyToWSGI reads them; but only when the connection comes from a configured trusted proxy,
 * so that no direct client can make the API advertise another origin.
 */
import { BlockList, isIP } from 'node:net';

import { ConfigError } from '../../errors/index.ts';

/** Decides whether a peer address is a trusted proxy (fastify's `trustProxy` function shape). */
export type TrustProxy = (address: string, hop: number) => boolean;

/** Where the API is published, as the client addressed it. */
export interface PublicUrl {
  /** `scheme://host[:port]`. */
  readonly origin: string;
  /** The path prefix the proxy mounts the API under, percent-encoded, `''` when none. */
  readonly prefix: string;
}

/** What {@link publicUrl} reads of a request. */
export interface PublicUrlRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly socket: { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean };
}

/** proxy-addr's names for address ranges, as fastify accepts them. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** A host, optionally with a port: a registered name, an IPv4 address or a bracketed IPv6 one. */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Compiles trusted proxies (addresses, CIDR ranges, or `loopback`-style names). */
export function trustProxyFunction(trustedProxies: readonly string[]): TrustProxy {
  const list = new BlockList();
  for (const entry of trustedProxies.flatMap((e) => NAMED_RANGES[e.trim()] ?? [e.trim()])) {
    const [address = '', prefix] = entry.split('/', 2);
    const family = isIP(address) === 6 ? 'ipv6' : isIP(address) === 4 ? 'ipv4' : undefined;
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 'ipv6' ? 128 : 32;
    if (family === undefined || (bits !== undefined && !(bits >= 0 && bits <= maxBits))) {
      throw new ConfigError(`invalid trusted proxy '${entry}'`, { path: '/api/trustedProxies' });
    }
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, bits, family);
  }
  return (address) => {
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The origin and prefix a request was addressed to, through trusted proxies. */
export function publicUrl(request: PublicUrlRequest, trust: TrustProxy): PublicUrl {
  let scheme = request.socket.encrypted === true ? 'https' : 'http';
  let host = firstValue(request.headers.host);
  let prefix = '';
  const peer = request.socket.remoteAddress;
  if (peer !== undefined && trust(peer, 0)) {
    const forwarded = firstValue(request.headers.forwarded);
    const proxy = forwarded === undefined ? undefined : parseForwarded(forwarded);
    const proto = proxy ? proxy.proto : firstValue(request.headers['x-forwarded-proto']);
    const forwardedHost = proxy ? proxy.host : firstValue(request.headers['x-forwarded-host']);
    if (proto === 'http' || proto === 'https') scheme = proto;
    if (forwardedHost !== undefined && HOST.test(forwardedHost)) host = forwardedHost;
    prefix = normalizePrefix(firstValue(request.headers['x-forwarded-prefix']) ?? '');
  }
  return {
    origin: `${scheme}://${host !== undefined && HOST.test(host) ? host : 'localhost'}`,
    prefix,
  };
}

/** The absolute URL of an API path (`/v1/metric/…`, not yet encoded), as Gnocchi's `Location`. */
export function absoluteUrl(base: PublicUrl, path: string): string {
  return `${base.origin}${base.prefix}${quotePath(path)}`;
}

/**
 * Percent-encodes a path as Python's `urllib.parse.quote` does: UTF-8, everything but
 * `A-Za-z0-9_.-~` and `/`.
 */
export function quotePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

function parseForwarded(header: string): { proto?: string; host?: string } {
  const first = header.split(',', 1)[0] ?? '';
  const entry: Record<string, string> = {};
  for (const pair of first.split(';')) {
    const [key = '', value = ''] = pair.split('=', 2);
    entry[key.trim().toLowerCase()] = value.trim().replace(/^"(.*)"$/, '$1');
  }
  return {
    ...(entry.proto === undefined ? {} : { proto: entry.proto.toLowerCase() }),
    ...(entry.host === undefined ? {} : { host: entry.host }),
  };
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return quotePath(trimmed.startsWith('/') ? trimmed : `/${trimmed}`);
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const first = text?.split(',', 1)[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}
