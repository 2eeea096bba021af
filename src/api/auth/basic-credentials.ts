/** The Basic `Authorization` scheme, read as werkzeug reads it. */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A user name and password from a Basic header. */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * The user and password of a Basic `Authorization` header (scheme in any case, UTF-8
 * `user:password` in padded base64), or undefined when there is none or it is unreadable. An empty
 * user name counts as none: it could never be told apart from an anonymous caller.
 */
export function basicCredentials(authorization: string | undefined): BasicCredentials | undefined {
  if (authorization === undefined) return undefined;
  const trimmed = authorization.trim();
  const space = trimmed.indexOf(' ');
  if (space === -1 || trimmed.slice(0, space).toLowerCase() !== 'basic') return undefined;
  const encoded = trimmed.slice(space + 1).trim();
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return undefined;
  let decoded: string;
  try {
    decoded = UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  return user === '' ? undefined : { user, password };
}

/** The user named by a Basic `Authorization` header (see {@link basicCredentials}). */
export function basicUser(authorization: string | undefined): string | undefined {
  return basicCredentials(authorization)?.user;
}
