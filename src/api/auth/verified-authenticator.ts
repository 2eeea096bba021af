/**
 * The `verified` auth mode: callers prove who they are with a password (Basic) or an API token
 * (`Authorization: Bearer <token>`, or Basic with the token as user name and no password, which is
 * what gnocchiclient's `gnocchi-basic` plugin sends), checked against the accounts in the indexer.
 *
 * A password check runs scrypt (tens of milliseconds), so successes are remembered: by an HMAC,
 * under a key of this process, of the stored hash and the password, which a password change or a
 * removed user invalidates by itself and which keeps no password in memory. User records are
 * re-read after `userTtlMs`, so a change made through the CLI reaches every API process within it.
 * Tokens are looked up on every request (one indexed read), so a revoked one stops at once.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import type { AccountStore, ApiUser } from '../../indexer/index.ts';
import { AuthenticationRequiredError, InvalidCredentialsError } from '../http/request-errors.ts';
import { parseApiToken, tokenSecretMatches } from './api-token.ts';
import { basicCredentials } from './basic-credentials.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import type { Credentials } from './policies.ts';
import { remember } from './remember.ts';
import type { CredentialsCheck } from './request-authenticator.ts';

/** What the verified mode's 401 answers ask for. */
export const VERIFIED_CHALLENGE = 'Basic realm="orzo", Bearer realm="orzo"';

/** Settings of a {@link VerifiedAuthenticator}. */
export interface VerifiedAuthOptions {
  readonly accounts: Pick<AccountStore, 'getUser' | 'getApiToken'>;
  /** How long a user record read from the indexer is trusted. @defaultValue 5 s */
  readonly userTtlMs?: number;
  /** Password checks and user records remembered at most. @defaultValue 10,000 */
  readonly maxRemembered?: number;
  readonly clock?: () => number;
}

interface CachedUser {
  readonly user: Promise<ApiUser | undefined>;
  readonly readAt: number;
}

/** Checks the credentials of requests against the indexer's accounts. */
export class VerifiedAuthenticator implements CredentialsCheck {
  readonly #accounts: VerifiedAuthOptions['accounts'];
  readonly #userTtlMs: number;
  readonly #maxRemembered: number;
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
    this.#userTtlMs = options.userTtlMs ?? 5000;
    this.#maxRemembered = options.maxRemembered ?? 10_000;
  }

  /**
   * The credentials of a request's `Authorization` header. Throws `AuthenticationRequiredError`
   * without one, `InvalidCredentialsError` for wrong ones.
   */
  async check(headers: IncomingHttpHeaders): Promise<Credentials> {
    const { authorization } = headers;
    if (authorization === undefined || authorization.trim() === '') {
      throw new AuthenticationRequiredError(VERIFIED_CHALLENGE);
    }
    const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (bearer !== undefined) return this.#byToken(bearer);
    const basic = basicCredentials(authorization);
    if (basic === undefined) throw invalid('unreadable credentials');
    if (basic.password === '' && parseApiToken(basic.user) !== undefined) {
      return this.#byToken(basic.user);
    }
    return this.#byPassword(basic.user, basic.password);
  }

  async #byPassword(name: string, password: string): Promise<Credentials> {
    const user = await this.#user(name);
    if (user === undefined) {
      this.#decoy ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(password, await this.#decoy);
      throw invalid('unknown user', name);
    }
    const mark = createHmac('sha256', this.#key)
      .update(user.passwordHash)
      .update('\u0000')
      .update(password)
      .digest('base64');
    if (this.#verified.delete(mark) || (await verifyPassword(password, user.passwordHash))) {
      remember(this.#verified, mark, true, this.#maxRemembered);
      return credentialsOf(user);
    }
    throw invalid('wrong password', name);
  }

  async #byToken(text: string): Promise<Credentials> {
    const parsed = parseApiToken(text);
    if (parsed === undefined) throw invalid('unknown token');
    const token = await this.#accounts.getApiToken(parsed.id);
    if (token === undefined || !tokenSecretMatches(parsed.secret, token.secretHash)) {
      throw invalid('unknown token', parsed.id);
    }
    if (token.expiresAt !== null && token.expiresAt <= this.#clock()) {
      throw invalid('expired token', parsed.id);
    }
    const user = await this.#user(token.user);
    if (user === undefined) throw invalid('unknown token', parsed.id);
    return credentialsOf(user);
  }

  #user(name: string): Promise<ApiUser | undefined> {
    const now = this.#clock();
    const cached = this.#users.get(name);
    if (cached !== undefined && now - cached.readAt < this.#userTtlMs) return cached.user;
    const user = this.#accounts.getUser(name);
    this.#users.delete(name);
    remember(this.#users, name, { user, readAt: now }, this.#maxRemembered);
    // NOTE: a failed read is not remembered; the next request asks again. Only this read is
    // forgotten: a newer one may have taken its place meanwhile.
    user.catch(() => {
      if (this.#users.get(name)?.user === user) this.#users.delete(name);
    });
    return user;
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

function invalid(reason: string, principal?: string): InvalidCredentialsError {
  return new InvalidCredentialsError(reason, principal, VERIFIED_CHALLENGE);
}
