/**
 * The API's own accounts, for the `verified` auth mode: users with a password hash, a project and
 * roles, and the API tokens issued to them. The indexer stores hashes as opaque text; making and
 * checking them is the API's business.
 */

/** A user of the `verified` auth mode. */
export interface ApiUser {
  readonly name: string;
  /** A self-describing password hash (KDF, its parameters, salt and digest). */
  readonly passwordHash: string;
  readonly projectId: string | null;
  readonly roles: readonly string[];
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

/** What may change of a user. */
export interface ApiUserChanges {
  readonly passwordHash?: string;
  readonly projectId?: string | null;
  readonly roles?: readonly string[];
}

/** An API token: its secret is never stored, only a digest of it. */
export interface ApiToken {
  /** Public part of the token, by which it is found and revoked. */
  readonly id: string;
  readonly user: string;
  /** Digest of the token's secret part. */
  readonly secretHash: string;
  readonly description: string | null;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Milliseconds since the epoch; null for a token that does not expire. */
  readonly expiresAt: number | null;
}

/** Users and tokens, as the indexer keeps them. Every method is atomic. */
export interface AccountStore {
  /** Throws `ApiUserAlreadyExistsError`. */
  createUser(user: ApiUser): Promise<ApiUser>;
  getUser(name: string): Promise<ApiUser | undefined>;
  /** Ordered by name, by code point. */
  listUsers(): Promise<ApiUser[]>;
  /** Throws `ApiUserNotFoundError`. */
  updateUser(name: string, changes: ApiUserChanges): Promise<ApiUser>;
  /** Removes the user and revokes every token of theirs; throws `ApiUserNotFoundError`. */
  deleteUser(name: string): Promise<void>;
  /** Throws `ApiUserNotFoundError` when its user does not exist. */
  createApiToken(token: ApiToken): Promise<ApiToken>;
  getApiToken(id: string): Promise<ApiToken | undefined>;
  /** Every token, or one user's, oldest first. */
  listApiTokens(user?: string): Promise<ApiToken[]>;
  /** Throws `ApiTokenNotFoundError`. */
  deleteApiToken(id: string): Promise<void>;
}
