/**
 * What the authenticating modes (`verified`, `keystone`) share: a check of a request's headers
 * that finds its caller's credentials, guarded by a per-client limit on failures
 * ({@link LoginThrottle}) and a log line per failure that names the client, what it tried and
 * why it failed, never a password or a token.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { InvalidCredentialsError, TooManyFailedLoginsError } from '../http/request-errors.ts';
import { LoginThrottle } from './login-throttle.ts';
import type { Credentials } from './policies.ts';

/**
 * Finds the caller of a request. Throws `AuthenticationRequiredError` when it sends no
 * credentials, `InvalidCredentialsError` for wrong ones, or an error of the server's own
 * (an identity service that does not answer).
 */
export interface CredentialsCheck {
  check(headers: IncomingHttpHeaders): Promise<Credentials>;
}

/** A failed authentication, as logged. */
export interface FailedLogin {
  readonly client: string;
  /** The user or token id tried, if the credentials named one. */
  readonly principal: string | undefined;
  readonly reason: string;
  /** The client's failures within the window, this one included. */
  readonly failures: number;
}

/** Settings of {@link RequestAuthenticator}. */
export interface RequestAuthenticatorOptions {
  /** Failed authentications per client within `failureWindowMs` before it is locked out. */
  readonly failureLimit: number;
  readonly failureWindowMs: number;
  readonly onFailure?: (failure: FailedLogin) => void;
  readonly clock?: () => number;
}

/** A {@link CredentialsCheck} behind the failure limit. */
export class RequestAuthenticator {
  readonly #check: CredentialsCheck;
  readonly #throttle: LoginThrottle;
  readonly #onFailure: (failure: FailedLogin) => void;

  constructor(check: CredentialsCheck, options: RequestAuthenticatorOptions) {
    this.#check = check;
    this.#throttle = new LoginThrottle({
      limit: options.failureLimit,
      windowMs: options.failureWindowMs,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    this.#onFailure = options.onFailure ?? (() => undefined);
  }

  /**
   * The credentials of a request sent by `client` (its address). Throws as the check does, and
   * `TooManyFailedLoginsError` while the client is locked out, whatever it sends.
   */
  async authenticate(headers: IncomingHttpHeaders, client: string): Promise<Credentials> {
    const locked = this.#throttle.lockedFor(client);
    if (locked > 0) throw new TooManyFailedLoginsError(Math.ceil(locked / 1000));
    try {
      return await this.#check.check(headers);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        const failures = this.#throttle.fail(client);
        this.#onFailure({ client, principal: error.principal, reason: error.reason, failures });
      }
      throw error;
    }
  }
}
