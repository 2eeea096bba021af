/**
 * The `keystone` auth mode, as OpenStack runs Gnocchi behind keystonemiddleware: a request's
 * `X-Auth-Token` is validated against Keystone's v3 API (`GET /v3/auth/tokens`) with a token of
 * Orzo's own service user, and the user, project and roles it names are the caller's.
 *
 * Validations are remembered until the token expires or `cacheMs` passes, whichever comes first
 * (a token revoked meanwhile still works that long, as with keystonemiddleware's cache); only a
 * digest of each token is kept. Concurrent requests with one token share one validation. The
 * service token is fetched when first needed, renewed shortly before it expires, and once more
 * when Keystone says it is no longer valid.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { EngineError } from '../../errors/index.ts';
import { AuthenticationRequiredError, InvalidCredentialsError } from '../http/request-errors.ts';
import type { Credentials } from './policies.ts';
import { remember } from './remember.ts';
import type { CredentialsCheck } from './request-authenticator.ts';

/** Keystone did not answer, or not as it should: the request cannot be authenticated now. */
export class KeystoneUnavailableError extends EngineError {
  readonly code = 'KEYSTONE_UNAVAILABLE';

  constructor(why: string, options?: ErrorOptions) {
    super(`Keystone is unavailable: ${why}`, options);
  }
}

/** How Orzo reaches Keystone. */
export interface KeystoneSettings {
  /** Keystone's root URL; its v3 API is under `/v3`. */
  readonly url: string;
  readonly serviceUser: string;
  readonly servicePassword: string;
  readonly serviceProject: string;
  /** The domain (id) of the service user and its project. */
  readonly domain: string;
  /** How long a validation is trusted at most, in ms. */
  readonly cacheMs: number;
  /** How long Keystone has to answer, in ms. */
  readonly timeoutMs: number;
}

/** Options of a {@link KeystoneAuthenticator}. */
export interface KeystoneAuthOptions extends KeystoneSettings {
  /** Validations remembered at most. @defaultValue 10,000 */
  readonly maxRemembered?: number;
  readonly clock?: () => number;
  readonly fetch?: typeof fetch;
}

interface Validation {
  readonly credentials: Promise<Credentials>;
  /** Until when the validation may be reused (ms since the epoch); infinite while in flight. */
  until: number;
}

interface ServiceToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Renew the service token when it has less than this left (ms). */
const SERVICE_TOKEN_MARGIN_MS = 5000;

/** Checks `X-Auth-Token` against Keystone. */
export class KeystoneAuthenticator implements CredentialsCheck {
  readonly #settings: KeystoneSettings;
  readonly #maxRemembered: number;
  readonly #clock: () => number;
  readonly #fetch: typeof fetch;
  readonly #validations = new Map<string, Validation>();
  readonly #challenge: string;
  #serviceToken: Promise<ServiceToken> | undefined;

  constructor(options: KeystoneAuthOptions) {
    this.#settings = { ...options, url: options.url.replace(/\/+$/, '') };
    this.#maxRemembered = options.maxRemembered ?? 10_000;
    this.#clock = options.clock ?? Date.now;
    this.#fetch = options.fetch ?? fetch;
    // NOTE: keystonemiddleware's challenge: where a client gets a token.
    this.#challenge = `Keystone uri="${this.#settings.url}"`;
  }

  /**
   * The credentials of a request's `X-Auth-Token`. Throws `AuthenticationRequiredError` without
   * one, `InvalidCredentialsError` for a token Keystone does not know (expired, revoked, made
   * up), `KeystoneUnavailableError` when Keystone cannot say.
   */
  async check(headers: IncomingHttpHeaders): Promise<Credentials> {
    const token = headers['x-auth-token'];
    const text = typeof token === 'string' ? token.trim() : undefined;
    if (text === undefined || text === '') throw new AuthenticationRequiredError(this.#challenge);
    const key = createHash('sha256').update(text).digest('base64');
    const now = this.#clock();
    const known = this.#validations.get(key);
    if (known !== undefined && now < known.until) return known.credentials;
    const pending = this.#validate(text);
    const validation: Validation = {
      credentials: pending.then((answer) => answer.credentials),
      until: Infinity,
    };
    pending.then(
      (answer) => {
        validation.until = answer.until;
      },
      () => undefined,
    );
    this.#validations.delete(key);
    remember(this.#validations, key, validation, this.#maxRemembered);
    try {
      return await validation.credentials;
    } catch (error) {
      if (this.#validations.get(key) === validation) this.#validations.delete(key);
      throw error;
    }
  }

  /** Asks Keystone about a token: its credentials, and until when they may be reused. */
  async #validate(token: string): Promise<{ credentials: Credentials; until: number }> {
    let response = await this.#askValidation(token, await this.#service());
    if (response.status === 401) {
      // NOTE: the service token was revoked or Keystone restarted with new keys: once more.
      this.#serviceToken = undefined;
      response = await this.#askValidation(token, await this.#service());
    }
    if (response.status === 404 || response.status === 401) {
      throw new InvalidCredentialsError('token not valid', fingerprint(token), this.#challenge);
    }
    if (response.status !== 200) {
      throw new KeystoneUnavailableError(`token validation answered ${response.status}`);
    }
    const body = (await response.json()) as { token?: KeystoneToken };
    const credentials = credentialsOfToken(body.token);
    const expiresAt = Date.parse(body.token?.expires_at ?? '');
    const now = this.#clock();
    if (Number.isNaN(expiresAt) || expiresAt <= now) {
      throw new InvalidCredentialsError('token expired', fingerprint(token), this.#challenge);
    }
    return { credentials, until: Math.min(expiresAt, now + this.#settings.cacheMs) };
  }

  #askValidation(token: string, service: ServiceToken): Promise<Response> {
    return this.#request('/v3/auth/tokens', {
      method: 'GET',
      headers: { 'x-auth-token': service.token, 'x-subject-token': token },
    });
  }

  async #service(): Promise<ServiceToken> {
    const current = this.#serviceToken;
    if (current !== undefined) {
      const token = await current.catch(() => undefined);
      if (token !== undefined && token.expiresAt - SERVICE_TOKEN_MARGIN_MS > this.#clock()) {
        return token;
      }
      if (this.#serviceToken !== current) return this.#service();
    }
    const next = this.#issueServiceToken();
    this.#serviceToken = next;
    next.catch(() => {
      if (this.#serviceToken === next) this.#serviceToken = undefined;
    });
    return next;
  }

  async #issueServiceToken(): Promise<ServiceToken> {
    const { serviceUser, servicePassword, serviceProject, domain } = this.#settings;
    const response = await this.#request('/v3/auth/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: serviceUser, domain: { id: domain }, password: servicePassword },
            },
          },
          scope: { project: { name: serviceProject, domain: { id: domain } } },
        },
      }),
    });
    const token = response.headers.get('x-subject-token');
    if (response.status !== 201 || token === null) {
      throw new KeystoneUnavailableError(
        `the service user ${serviceUser} could not get a token (${response.status})`,
      );
    }
    const body = (await response.json()) as { token?: { expires_at?: string } };
    const expiresAt = Date.parse(body.token?.expires_at ?? '');
    return { token, expiresAt: Number.isNaN(expiresAt) ? this.#clock() : expiresAt };
  }

  async #request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(`${this.#settings.url}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
      });
    } catch (error) {
      throw new KeystoneUnavailableError(
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.#settings.timeoutMs} ms`
          : `${this.#settings.url} cannot be reached`,
        { cause: error },
      );
    }
  }
}

/** What Orzo reads of a validated token. */
interface KeystoneToken {
  readonly expires_at?: string;
  readonly user?: { readonly id?: string };
  readonly project?: { readonly id?: string };
  readonly roles?: readonly { readonly name?: string }[];
}

/** The policy's view of a token: the creator is `user_id:project_id`, as in Gnocchi. */
function credentialsOfToken(token: KeystoneToken | undefined): Credentials {
  const userId = token?.user?.id;
  if (userId === undefined) throw new KeystoneUnavailableError('a validated token names no user');
  const projectId = token?.project?.id;
  return {
    user: `${userId}:${projectId ?? ''}`,
    roles: (token?.roles ?? []).flatMap((role) => (role.name === undefined ? [] : [role.name])),
    ...(projectId === undefined ? {} : { projectId }),
  };
}

/** A short digest naming a token in the log, never the token itself. */
function fingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}
