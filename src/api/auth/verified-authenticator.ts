/**
 * The `verified` auth mode: callers prove who they are with a password (Basic) or an API token
 * (`Authorization: Bearer <token>`, or Basic with the token as user name and no password, which is
 * what gnocchiclient's `gnocchi-basic` plugin sends), checked against the accounts in the indexer.
 *
 * A password check runs scrypt (tens of milliseconds), so successes are remembered: by an HMAC,
 * under a key of this process, of the stored hash and the password, which a password change or a
 * removed user invalidates by itself and which keeps no password in memory. User records are
 * re-read after `userTtlMs`, so a change made through the CLI reaches every API process within it.
 * Failures count against the client's address ({@link LoginThrottle}) and are logged without the
 * password.
 */
import { createHmac, randomBytes } from 'node:crypto';

import type { AccountStore, ApiUser } from '../../indexer/index.ts';
import {
  AuthenticationRequiredError,
  InvalidCredentialsError,
  TooManyFailedLoginsError,
} from '../http/request-errors.ts';
import { parseApiToken, tokenSecretMatches } from './api-token.ts';
import { basicCredentials } from './basic-credentials.ts';
import { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import type { Credentials } from './policies.ts';

/** A failed authentication, as logged. */
export interface FailedLogin {
  readonly client: string;
  /** The user or token id tried, if the header named one. */
  readonly principal: string | undefined;
  readonly reason:
    'unknown user' | 'wrong password' | 'unknown token' | 'expired token' | 'bad header';
  readonly failures: number;
}

/** Settings of a {@link VerifiedAuthenticator}. */
export interface VerifiedAuthOptions {
  readonly accounts: Pick<AccountStore, 'getUser' | 'getApiToken'>;
  /** Failed authentications per client within `failureWindowMs` before it is locked out. */
  readonly failureLimit: number;
  readonly failureWindowMs: number;
  /** How long a user record read from the indexer is trusted. @defaultValue 5 s */
  readonly userTtlMs?: number;
  /** Password checks remembered at most. @defaultValue 10,000 */
  readonly maxRemembered?: number;
  readonly onFailure?: (failure: FailedLogin) => void;
  readonly clock?: () => number;
}

/** What the verified mode's 401 answers ask for. */
export const VERIFIED_CHALLENGE = 'Basic realm="orzo", Bearer realm="orzo"';

interface CachedUser {
  readonly user: Promise<ApiUser | undefined>;
  readonly readAt: number;
}

/** Checks the credentials of requests against the indexer's accounts. */
export class VerifiedAuthenticator {
  readonly #accounts: VerifiedAuthOptions['accounts'];
  readonly #throttle: LoginThrottle;
  readonly #userTtlMs: number;
  readonly #maxRemembered: number;
  readonly #onFailure: (failure: FailedLogin) => void;
  readonly #clock: () => number;
  readonly #users = new Map<string, CachedUser>();
  /** HMACs of (stored hash, password) that verified, least recently used first. */
  readonly #verified = new Map<string, true>();
  readonly #key = randomBytes(32);
  /** A hash to check unknown users' passwords against, so that they take as long as known ones. */
  #decoy: Promise<string> | undefined;

  constructor(options: VerifiedAuthOptions) {
    this.#accounts = options.accounts;
    this.#clock = options.clock ?? Date.now;
    this.#throttle = new LoginThrottle({
      limit: options.failureLimit,
      windowMs: options.failureWindowMs,
      clock: this.#clock,
    });
    this.#userTtlMs = options.userTtlMs ?? 5000;
    this.#maxRemembered = options.maxRemembered ?? 10_000;
    this.#onFailure = options.onFailure ?? (() => undefined);
  }

  /**
   * The credentials of a request's `Authorization` header, sent by `client` (its address).
   * Throws `AuthenticationRequiredError` without a header, `InvalidCredentialsError` for wrong
   * ones, `TooManyFailedLoginsError` while the client is locked out.
   */
  async authenticate(authorization: string | undefined, client: string): Promise<Credentials> {
    const locked = this.#throttle.lockedFor(client);
    if (locked > 0) throw new TooManyFailedLoginsError(Math.ceil(locked / 1000));
    if (authorization === undefined || authorization.trim() === '') {
      throw new AuthenticationRequiredError(VERIFIED_CHALLENGE);
    }
    const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (bearer !== undefined) return this.#byToken(bearer, client);
    const basic = basicCredentials(authorization);
    if (basic === undefined) return this.#fail(client, undefined, 'bad header');
    if (basic.password === '' && parseApiToken(basic.user) !== undefined) {
      return this.#byToken(basic.user, client);
    }
    return this.#byPassword(basic.user, basic.password, client);
  }

  /** Forgets what is remembered of a user at once (after a change made in this process). */
  forget(name: string): void {
    this.#users.delete(name);
  }

  async #byPassword(name: string, password: string, client: string): Promise<Credentials> {
    const user = await this.#user(name);
    if (user === undefined) {
      await verifyPassword(
        password,
        await (this.#decoy ??= hashPassword(randomBytes(16).toString('hex'))),
      );
      return this.#fail(client, name, 'unknown user');
    }
    const mark = createHmac('sha256', this.#key)
      .update(user.passwordHash)
      .update('\u0000')
      .update(password)
      .digest('base64');
    if (this.#verified.delete(mark) || (await verifyPassword(password, user.passwordHash))) {
      this.#remember(mark);
      return credentialsOf(user);
    }
    return this.#fail(client, name, 'wrong password');
  }

  async #byToken(text: string, client: string): Promise<Credentials> {
    const parsed = parseApiToken(text);
    if (parsed === undefined) return this.#fail(client, undefined, 'unknown token');
    const token = await this.#accounts.getApiToken(parsed.id);
    if (token === undefined || !tokenSecretMatches(parsed.secret, token.secretHash)) {
      return this.#fail(client, parsed.id, 'unknown token');
    }
    if (token.expiresAt !== null && token.expiresAt <= this.#clock()) {
      return this.#fail(client, parsed.id, 'expired token');
    }
    const user = await this.#user(token.user);
    if (user === undefined) return this.#fail(client, parsed.id, 'unknown token');
    return credentialsOf(user);
  }

  #user(name: string): Promise<ApiUser | undefined> {
    const now = this.#clock();
    const cached = this.#users.get(name);
    if (cached !== undefined && now - cached.readAt < this.#userTtlMs) return cached.user;
    const user = this.#accounts.getUser(name);
    this.#users.set(name, { user, readAt: now });
    // NOTE: a failed read is not remembered; the next request asks again.
    user.catch(() => this.#users.delete(name));
    if (this.#users.size > this.#maxRemembered) {
      const oldest = this.#users.keys().next();
      if (oldest.done !== true) this.#users.delete(oldest.value);
    }
    return user;
  }

  #remember(mark: string): void {
    this.#verified.set(mark, true);
    if (this.#verified.size > this.#maxRemembered) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
  }

  #fail(client: string, principal: string | undefined, reason: FailedLogin['reason']): never {
    const failures = this.#throttle.fail(client);
    this.#onFailure({ client, principal, reason, failures });
    throw new InvalidCredentialsError(VERIFIED_CHALLENGE);
  }
}

/** The policy's view of a user: the creator string is `name:project`, as with Keystone. */
export function credentialsOf(user: ApiUser): Credentials {
  return {
    user: user.projectId === null ? user.name : `${user.name}:${user.projectId}`,
    roles: user.roles,
    ...(user.projectId === null ? {} : { projectId: user.projectId }),
  };
}
