/**
 * The request authenticator of an authenticating mode, from the API's settings: the check that
 * mode makes, behind the per-client failure limit. Undefined for Gnocchi's lazy modes.
 */
import type { ApiConfig } from '../../config/index.ts';
import { ConfigError } from '../../errors/config-error.ts';
import type { AccountStore } from '../../indexer/index.ts';
import { KeystoneAuthenticator, type KeystoneSettings } from './keystone-authenticator.ts';
import { RequestAuthenticator, type FailedLogin } from './request-authenticator.ts';
import { VerifiedAuthenticator } from './verified-authenticator.ts';

/** What the authenticators are made from. */
export interface AuthenticatorDeps {
  readonly api: ApiConfig;
  readonly accounts: Pick<AccountStore, 'getUser' | 'getApiToken'>;
  readonly onFailure: (failure: FailedLogin) => void;
}

/**
 * Throws `ConfigError` when the mode cannot work with these settings (`keystone` without
 * Keystone's URL or the service password), so that a command can say so before it starts.
 */
export function assertAuthSettings(api: ApiConfig): void {
  if (api.auth === 'keystone') keystoneSettingsOf(api);
}

/** How to reach Keystone; throws `ConfigError` for a missing or unusable setting. */
export function keystoneSettingsOf(api: ApiConfig): KeystoneSettings {
  const url = api.keystoneUrl;
  if (url === undefined || !URL.canParse(url)) {
    throw new ConfigError("--auth keystone needs api.keystoneUrl, Keystone's URL", {
      path: 'api.keystoneUrl',
    });
  }
  const password = api.keystoneServicePassword;
  if (password === undefined) {
    throw new ConfigError(
      '--auth keystone needs api.keystoneServicePassword (ORZO_API_KEYSTONE_SERVICE_PASSWORD)',
      { path: 'api.keystoneServicePassword' },
    );
  }
  return {
    url,
    serviceUser: api.keystoneServiceUser,
    servicePassword: password,
    serviceProject: api.keystoneServiceProject,
    domain: api.keystoneDomain,
    cacheMs: api.keystoneCacheSeconds * 1000,
    timeoutMs: api.keystoneTimeoutSeconds * 1000,
  };
}

/** The authenticator of an authenticating mode; throws as {@link assertAuthSettings}. */
export function createAuthenticator(deps: AuthenticatorDeps): RequestAuthenticator | undefined {
  const { api } = deps;
  const guard = {
    failureLimit: api.authFailureLimit,
    failureWindowMs: api.authFailureWindowSeconds * 1000,
    onFailure: deps.onFailure,
  };
  switch (api.auth) {
    case 'verified':
      return new RequestAuthenticator(
        new VerifiedAuthenticator({ accounts: deps.accounts }),
        guard,
      );
    case 'keystone':
      return new RequestAuthenticator(new KeystoneAuthenticator(keystoneSettingsOf(api)), guard);
    default:
      return undefined;
  }
}
