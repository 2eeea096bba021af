/**
 * Who is calling, and whether they may: the two authentication modes and the lazy checks that use
 * them.
 *
 * - `basic` (Gnocchi's default): the user is the name in `Authorization: Basic base64(user:any)`;
 *   the password is ignored; the user `admin` has the role `admin`. As in Gnocchi, credentials are
 *   read only when an operation needs them (a policy check, or a creator), so a request that never
 *   asks, such as listing metrics, succeeds anonymously.
 * - `noauth` (local use): nothing is refused for want of credentials or rights. Every caller has the
 *   role `admin`; the user is the one a valid Basic header names, else `admin`, so that creators
 *   still tell clients apart.
 */
import type { ApiConfig } from '../../config/index.ts';
import { AuthenticationRequiredError, PolicyDeniedError } from '../http/request-errors.ts';
import { isAllowed, type Credentials, type PolicyRule, type PolicyTarget } from './policies.ts';

/** An authentication mode. */
export type AuthMode = ApiConfig['auth'];

/** The user of the `noauth` mode when the request names none. */
export const NOAUTH_DEFAULT_USER = 'admin';

/** The user that has the role `admin` in basic mode, as in Gnocchi. */
export const ADMIN_USER = 'admin';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Checks made lazily on behalf of one request. */
export interface Authorizer {
  /** The calling user (Gnocchi's creator); throws `AuthenticationRequiredError`. */
  currentUser(): string;
  /** Throws `AuthenticationRequiredError`, or `PolicyDeniedError` when the rule refuses. */
  enforce(rule: PolicyRule, target?: PolicyTarget): void;
}

/** The credentials of a request; throws `AuthenticationRequiredError` in basic mode without any. */
export function authenticate(authorization: string | undefined, mode: AuthMode): Credentials {
  const user = basicUser(authorization);
  if (mode === 'noauth') return { user: user ?? NOAUTH_DEFAULT_USER, roles: ['admin'] };
  if (user === undefined) throw new AuthenticationRequiredError();
  return { user, roles: user === ADMIN_USER ? ['admin'] : [] };
}

/** The lazy checks of a request carrying this `Authorization` header. */
export function createAuthorizer(authorization: string | undefined, mode: AuthMode): Authorizer {
  const credentials = (): Credentials => authenticate(authorization, mode);
  return {
    currentUser: () => credentials().user,
    enforce: (rule, target = {}) => {
      if (!isAllowed(rule, credentials(), target)) throw new PolicyDeniedError(rule);
    },
  };
}

/**
 * The user named by a Basic `Authorization` header, read as werkzeug does (scheme in any case,
 * UTF-8 `user:password` in padded base64), or undefined when there is none or it is unreadable.
 * An empty user name counts as none: it could never be told apart from an anonymous caller.
 */
export function basicUser(authorization: string | undefined): string | undefined {
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
  return user === '' ? undefined : user;
}
