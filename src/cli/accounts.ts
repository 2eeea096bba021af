/**
 * `orzo user add|passwd|remove|list` and `orzo token create|list|revoke`: the accounts of the
 * `verified` auth mode, kept in the indexer. Changes reach running API processes within the few
 * seconds they trust a user record they read.
 */
import { issueApiToken } from '../api/auth/api-token.ts';
import { hashPassword } from '../api/auth/password-hash.ts';
import type { EngineConfig } from '../config/index.ts';
import { parsePositiveTimespan } from '../grammar/index.ts';
import { createIndexer, type Indexer } from '../indexer/index.ts';
import { readPassword } from './read-password.ts';

/** Flags of these commands that take a value. */
export const ACCOUNT_VALUE_FLAGS: readonly string[] = ['project', 'roles', 'expires'];

/** What the commands are given besides the configuration. */
export interface AccountCommandArgs {
  /** The words after `orzo`: `user add alice`, `token revoke ID`. */
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  /** Reads a new password. @defaultValue from standard input */
  readonly readPassword?: () => Promise<string>;
  readonly now?: () => number;
}

/** A command's failure that is the user's to fix: printed, exit status 2. */
export class AccountCommandError extends Error {}

/** Runs `orzo user …` or `orzo token …`; returns the lines to print. */
export async function runAccounts(
  config: EngineConfig,
  args: AccountCommandArgs,
): Promise<string[]> {
  const [noun, verb, subject] = args.positionals;
  const indexer = createIndexer(config.backends.indexer);
  try {
    await indexer.upgrade();
    if (noun === 'user') return await userCommand(indexer, verb, subject, args);
    return await tokenCommand(indexer, verb, subject, args);
  } finally {
    await indexer.close();
  }
}

async function userCommand(
  indexer: Indexer,
  verb: string | undefined,
  name: string | undefined,
  args: AccountCommandArgs,
): Promise<string[]> {
  const read = async (): Promise<string> => {
    try {
      return await (args.readPassword ?? (() => readPassword()))();
    } catch (error) {
      throw new AccountCommandError(error instanceof Error ? error.message : String(error));
    }
  };
  switch (verb) {
    case 'list': {
      const users = await indexer.listUsers();
      return table(
        ['name', 'project', 'roles', 'created'],
        users.map((user) => [
          user.name,
          user.projectId ?? '',
          user.roles.join(','),
          new Date(user.createdAt).toISOString(),
        ]),
      );
    }
    case 'add': {
      const user = await indexer.createUser({
        name: required(name, 'a user name'),
        passwordHash: await hashPassword(await read()),
        projectId: stringFlag(args.flags, 'project') ?? null,
        roles: rolesOf(stringFlag(args.flags, 'roles')),
        createdAt: (args.now ?? Date.now)(),
      });
      return [`user ${user.name} added`];
    }
    case 'passwd': {
      const user = required(name, 'a user name');
      if ((await indexer.getUser(user)) === undefined)
        throw new AccountCommandError(`no user ${user}`);
      await indexer.updateUser(user, { passwordHash: await hashPassword(await read()) });
      return [`password of ${user} changed`];
    }
    case 'remove': {
      await indexer.deleteUser(required(name, 'a user name'));
      return [`user ${name ?? ''} removed, with their tokens`];
    }
    default:
      throw new AccountCommandError('expected: orzo user add|passwd|remove|list');
  }
}

async function tokenCommand(
  indexer: Indexer,
  verb: string | undefined,
  subject: string | undefined,
  args: AccountCommandArgs,
): Promise<string[]> {
  const now = (args.now ?? Date.now)();
  switch (verb) {
    case 'create': {
      const user = required(subject, 'the user the token is for');
      const expires = stringFlag(args.flags, 'expires');
      const issued = issueApiToken();
      await indexer.createApiToken({
        id: issued.id,
        user,
        secretHash: issued.secretHash,
        description: stringFlag(args.flags, 'description') ?? null,
        createdAt: now,
        expiresAt: expires === undefined ? null : now + millisOf(expires),
      });
      // NOTE: the only time the secret is shown; it is stored as a digest.
      return [issued.text];
    }
    case 'list': {
      const tokens = await indexer.listApiTokens(subject);
      return table(
        ['id', 'user', 'created', 'expires', 'description'],
        tokens.map((token) => [
          token.id,
          token.user,
          new Date(token.createdAt).toISOString(),
          token.expiresAt === null
            ? 'never'
            : `${new Date(token.expiresAt).toISOString()}${token.expiresAt <= now ? ' (expired)' : ''}`,
          token.description ?? '',
        ]),
      );
    }
    case 'revoke': {
      const id = required(subject, 'a token id');
      await indexer.deleteApiToken(id);
      return [`token ${id} revoked`];
    }
    default:
      throw new AccountCommandError('expected: orzo token create|list|revoke');
  }
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new AccountCommandError(`expected ${what}`);
  return value;
}

function stringFlag(flags: AccountCommandArgs['flags'], name: string): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AccountCommandError(`--${name} needs a value`);
  return value;
}

function rolesOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
}

function millisOf(duration: string): number {
  try {
    return parsePositiveTimespan(duration) / 1000;
  } catch {
    throw new AccountCommandError(`--expires ${duration} is not a duration (e.g. 30 days, 12h)`);
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
