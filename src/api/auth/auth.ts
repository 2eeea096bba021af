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
 * - `verified`: the caller proved who they are with a password or an API token of the indexer's
 *   accounts (`verified-authenticator.ts`); every request under `/v1` must, before anything else
 *   is done with it, and the credentials found then are what the checks here read.
 * - `keystone`: the same, with an `X-Auth-Token` that Keystone validates
 *   (`keystone-authenticator.ts`); the creator is `user_id:project_id`, as in Gnocchi.
 *
 * In the other modes, as in Gnocchi, credentials are read only when an operation needs them (a
 * policy check, a creator, a resource id to transform), so a request that never asks succeeds
 * anonymously.
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { ApiConfig } from '../../config/index.ts';
import type { ResourceFilter } from '../../grammar/index.ts';
import { AuthenticationRequiredError, PolicyDeniedError } from '../http/request-errors.ts';
import { basicUser } from './basic-credentials.ts';
import { isAllowed, type Credentials, type PolicyRule, type PolicyTarget } from './policies.ts';

/** An authentication mode. */
export type AuthMode = ApiConfig['auth'];

/**
 * The modes that authenticate every request under `/v1` before it is handled, and that show a
 * caller only what it may read in listings.
 */
export const AUTHENTICATING_MODES: ReadonlySet<AuthMode> = new Set(['verified', 'keystone']);

/** The user that has the role `admin` in basic and remoteuser modes, as in Gnocchi. */
export const ADMIN_USER = 'admin';

/** What authentication reads of a request. */
export interface AuthRequest {
  readonly headers: IncomingHttpHeaders;
  /** Whether the peer is one of `api.trustedProxies`. */
  readonly fromTrustedProxy: boolean;
  /** What the `verified` or `keystone` mode found, before the request was handled. */
  readonly authenticated?: Credentials | undefined;
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
   * Whose metrics a metric listing may show the caller: undefined for everyone's (an admin, or a
   * mode that keeps Gnocchi's unfiltered listing), else the caller's creator string and project.
   */
  visibleMetrics(): { readonly creator: string; readonly projectId?: string } | undefined;
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
    case 'verified':
    case 'keystone':
      if (request.authenticated === undefined) throw new AuthenticationRequiredError();
      return request.authenticated;
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
    visibleMetrics: () => {
      if (!AUTHENTICATING_MODES.has(settings.mode)) return undefined;
      const caller = credentials();
      if (caller.roles.includes('admin')) return undefined;
      return {
        creator: caller.user,
        ...(caller.projectId === undefined ? {} : { projectId: caller.projectId }),
      };
    },
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
