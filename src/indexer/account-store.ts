/**
 * Users and API tokens in SQL, for `KyselyIndexer`, which turns driver errors into domain errors:
 * the `onViolation` of each write says what a constraint violation means for it.
 */
import type { Kysely, Selectable } from 'kysely';

import type { AccountStore, ApiToken, ApiUser, ApiUserChanges } from './account.ts';
import {
  ApiTokenNotFoundError,
  ApiUserAlreadyExistsError,
  ApiUserNotFoundError,
} from './errors.ts';
import type { ApiTokenTable, ApiUserTable, IndexerTables } from './indexer-tables.ts';
import type { DriverErrorKind, SqlDialect } from './sql-dialect.ts';

/** Runs a query, turning a constraint violation into the error `onViolation` gives. */
export type RunQuery = <T>(
  operation: () => Promise<T>,
  onViolation?: (violation: Exclude<DriverErrorKind, 'unavailable'>) => Error,
) => Promise<T>;

/** {@link AccountStore} on one database. */
export class SqlAccountStore implements AccountStore {
  readonly #db: Kysely<IndexerTables>;
  readonly #dialect: SqlDialect;
  readonly #run: RunQuery;

  constructor(db: Kysely<IndexerTables>, dialect: SqlDialect, run: RunQuery) {
    this.#db = db;
    this.#dialect = dialect;
    this.#run = run;
  }

  async createUser(user: ApiUser): Promise<ApiUser> {
    const row = {
      name: user.name,
      password_hash: user.passwordHash,
      project_id: user.projectId,
      roles: JSON.stringify(user.roles),
      created_at: user.createdAt,
    };
    await this.#run(
      () => this.#db.insertInto('api_user').values(row).execute(),
      () => new ApiUserAlreadyExistsError(user.name),
    );
    return user;
  }

  async getUser(name: string): Promise<ApiUser | undefined> {
    const row = await this.#run(() =>
      this.#db.selectFrom('api_user').selectAll().where('name', '=', name).executeTakeFirst(),
    );
    return row === undefined ? undefined : this.#toUser(row);
  }

  async listUsers(): Promise<ApiUser[]> {
    const rows = await this.#run(() =>
      this.#db.selectFrom('api_user').selectAll().orderBy('name').execute(),
    );
    return rows.map((row) => this.#toUser(row));
  }

  async updateUser(name: string, changes: ApiUserChanges): Promise<ApiUser> {
    const set = {
      ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
      ...(changes.projectId === undefined ? {} : { project_id: changes.projectId }),
      ...(changes.roles === undefined ? {} : { roles: JSON.stringify(changes.roles) }),
    };
    return this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        if (Object.keys(set).length > 0) {
          await trx.updateTable('api_user').set(set).where('name', '=', name).execute();
        }
        const row = await trx
          .selectFrom('api_user')
          .selectAll()
          .where('name', '=', name)
          .executeTakeFirst();
        if (row === undefined) throw new ApiUserNotFoundError(name);
        return this.#toUser(row);
      }),
    );
  }

  async deleteUser(name: string): Promise<void> {
    const deleted = await this.#run(() =>
      this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('api_token').where('user_name', '=', name).execute();
        return trx.deleteFrom('api_user').where('name', '=', name).executeTakeFirst();
      }),
    );
    if (deleted.numDeletedRows === 0n) throw new ApiUserNotFoundError(name);
  }

  async createApiToken(token: ApiToken): Promise<ApiToken> {
    const row = {
      id: token.id,
      user_name: token.user,
      secret_hash: token.secretHash,
      description: token.description,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
    };
    // NOTE: ids are random and long enough never to collide; the foreign key is the user's.
    await this.#run(
      () => this.#db.insertInto('api_token').values(row).execute(),
      () => new ApiUserNotFoundError(token.user),
    );
    return token;
  }

  async getApiToken(id: string): Promise<ApiToken | undefined> {
    const row = await this.#run(() =>
      this.#db.selectFrom('api_token').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? undefined : toToken(row);
  }

  async listApiTokens(user?: string): Promise<ApiToken[]> {
    const rows = await this.#run(() =>
      this.#db
        .selectFrom('api_token')
        .selectAll()
        .$if(user !== undefined, (query) => query.where('user_name', '=', user ?? ''))
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    );
    return rows.map(toToken);
  }

  async deleteApiToken(id: string): Promise<void> {
    const deleted = await this.#run(() =>
      this.#db.deleteFrom('api_token').where('id', '=', id).executeTakeFirst(),
    );
    if (deleted.numDeletedRows === 0n) throw new ApiTokenNotFoundError(id);
  }

  #toUser(row: Selectable<ApiUserTable>): ApiUser {
    return Object.freeze({
      name: row.name,
      passwordHash: row.password_hash,
      projectId: row.project_id,
      roles: Object.freeze(this.#dialect.readJson(row.roles) as string[]),
      createdAt: Number(row.created_at),
    });
  }
}

function toToken(row: Selectable<ApiTokenTable>): ApiToken {
  return Object.freeze({
    id: row.id,
    user: row.user_name,
    secretHash: row.secret_hash,
    description: row.description,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  });
}
