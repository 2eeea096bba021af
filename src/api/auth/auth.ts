/**
 * Who is calling, and whether they may: the authentication modes and the lazy checks that use
 * them.
 *
 * - `basic` (Gnocchi's default): the user is the name in `Authorization: Basic base64(user:any)`;
 *   the password is ignored; the user `admin` has the role `admin`.
 * - `noauth` (Gnocchi's header mode, for a trusted network or a proxy that sets them): the caller
 *   is `X-User-Id` of project `X-Project-Id`, with the roles of `X-Roles` (comma-separated); the
 *   creator is `user:project`, as with Keystone.
 * - `remoteuser`: the user is the one a trusted proxy (`api.trustedProxies`) names in
 *   `api.remoteUserHeader`, after authenticating it; a request that does not come through such a
 *   proxy has no user. Otherwise as `basic`.
 *
 * As in Gnocchi, credentials are read only when an operation needs them (a policy check, a
 * creator, a resource id to transform), so a request that never asks succeeds anonymously.
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { ApiConfig } from '../../config/index.ts';
import type { ResourceFilter } from '../../grammar/index.ts';
import { AuthenticationRequiredError, PolicyDeniedError } from '../http/request-errors.ts';
import { isAllowed, type Credentials, type PolicyRule, type PolicyTarget } from './policies.ts';

/** An authentication mode. */
export type AuthMode = ApiConfig['auth'];

/** The user that has the role `admin` in basic and remoteuser modes, as in Gnocchi. */
export const ADMIN_USER = 'admin';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** What authentication reads of a request. */
export interface AuthRequest {
  readonly headers: IncomingHttpHeaders;
  /** Whether the peer is one of `api.trustedProxies`. */
  readonly fromTrustedProxy: boolean;
}

/** The settings authentication depends on. */
export interface AuthSettings {
  readonly mode: AuthMode;
  /** The header a trusted proxy names the user in (`remoteuser`). */
  readonly remoteUserHeader: string;
}

/** Checks made lazily on behalf of one request. */
export interface Authorizer {
  /** The caller as Gnocchi's creator string; throws `AuthenticationRequiredError`. */
  currentUser(): string;
  /** Throws `AuthenticationRequiredError`, or `PolicyDeniedError` when the rule refuses. */
  enforce(rule: PolicyRule, target?: PolicyTarget): void;
  /** Whether the rule lets the caller act on the target; throws `AuthenticationRequiredError`. */
  allows(rule: PolicyRule, target?: PolicyTarget): boolean;
  /**
   * What a listing or search under `rule` may show the caller: undefined for everything (the
   * rule passes whatever the target, as for an admin), else a filter of the resources the caller
   * created, whose creator is of the caller's project, or which belong to that project.
   */
  visibleResources(rule: PolicyRule): ResourceFilter | undefined;
}

/** The credentials of a request; throws `AuthenticationRequiredError` when it has none. */
export function authenticate(request: AuthRequest, settings: AuthSettings): Credentials {
  switch (settings.mode) {
    case 'basic':
      return namedUser(basicUser(request.headers.authorization));
    case 'remoteuser': {
      const user = request.fromTrustedProxy
        ? headerValue(request.headers[settings.remoteUserHeader.toLowerCase()])
        : undefined;
      return namedUser(user);
    }
    case 'noauth': {
      const userId = headerValue(request.headers['x-user-id']);
      const projectId = headerValue(request.headers['x-project-id']);
      if (userId === undefined && projectId === undefined) throw new AuthenticationRequiredError();
      const roles = (headerValue(request.headers['x-roles']) ?? '')
        .split(',')
        .map((role) => role.trim())
        .filter((role) => role !== '');
      return {
        user: `${userId ?? ''}:${projectId ?? ''}`,
        roles,
        ...(projectId === undefined ? {} : { projectId }),
      };
    }
  }
}

/** The lazy checks of a request. */
export function createAuthorizer(request: AuthRequest, settings: AuthSettings): Authorizer {
  let known: Credentials | undefined;
  const credentials = (): Credentials => (known ??= authenticate(request, settings));
  return {
    currentUser: () => credentials().user,
    enforce: (rule, target = {}) => {
      if (!isAllowed(rule, credentials(), target)) throw new PolicyDeniedError(rule);
    },
    allows: (rule, target = {}) => isAllowed(rule, credentials(), target),
    visibleResources: (rule) => {
      const caller = credentials();
      if (isAllowed(rule, caller, {})) return undefined;
      const own: ResourceFilter = {
        kind: 'compare',
        op: '=',
        field: 'creator',
        value: caller.user,
      };
      if (caller.projectId === undefined) return own;
      const project = (field: string): ResourceFilter => ({
        kind: 'compare',
        op: '=',
        field,
        value: caller.projectId ?? null,
      });
      return {
        kind: 'or',
        children: [own, project('created_by_project_id'), project('project_id')],
      };
    },
  };
}

function namedUser(user: string | undefined): Credentials {
  if (user === undefined) throw new AuthenticationRequiredError();
  return { user, roles: user === ADMIN_USER ? ['admin'] : [] };
}

function headerValue(value: string | readonly string[] | undefined): string | undefined {
  const text = typeof value === 'string' ? value.trim() : undefined;
  return text === undefined || text === '' ? undefined : text;
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
