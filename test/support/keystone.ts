/**
 * A real Keystone for tests, from Debian's `keystone` package: a private configuration, SQLite
 * database and Fernet keys in a temporary folder, `keystone-manage bootstrap` for the admin, and
 * Keystone's public WSGI application served on a free loopback port. Helpers drive its v3 API to
 * make service users, project members, tokens and catalog entries.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from './free-port.ts';
import { ensureDebianPackage, runs } from './debian-package.ts';

const ADMIN_PASSWORD = 'keystone-admin';
const START_TIMEOUT_MS = 60_000;

/** A running Keystone. */
export interface Keystone {
  /** Its root URL; the v3 API is under `/v3`. */
  readonly url: string;
  /** A token of the given user, scoped to the project (the admin's when not told). */
  issueToken(user?: string, password?: string, project?: string): Promise<TokenInfo>;
  /** Revokes a token. */
  revokeToken(token: string): Promise<void>;
  /**
   * Creates the user a service validates tokens as: role `service` on project `service`, which
   * Keystone's default policy lets validate tokens. Once per Keystone.
   */
  addServiceUser(name: string, password: string): Promise<void>;
  /** Creates a project and a user with the role `member` on it. */
  addMember(user: string, password: string, project: string): Promise<void>;
  /** Registers a service of a type with a public endpoint, for clients that read the catalog. */
  registerEndpoint(type: string, name: string, url: string): Promise<void>;
  stop(): Promise<void>;
}

/** A token and what Keystone said of it. */
export interface TokenInfo {
  readonly token: string;
  readonly userId: string;
  readonly projectId: string;
  readonly expiresAt: number;
}

/** Installs Debian's keystone package where it is missing, as the client tests do. */
export function ensureKeystone(): void {
  ensureDebianPackage('keystone', () => runs('keystone-manage', ['--version']));
}

/** Starts a Keystone whose tokens live `tokenSeconds`. */
export async function startKeystone(tokenSeconds: number): Promise<Keystone> {
  ensureKeystone();
  const dir = mkdtempSync(join(tmpdir(), 'orzo-keystone-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'keystone.conf');
  writeFileSync(
    config,
    [
      '[DEFAULT]',
      `log_file = ${join(dir, 'keystone.log')}`,
      '[database]',
      `connection = sqlite:///${join(dir, 'keystone.db')}`,
      '[token]',
      'provider = fernet',
      `expiration = ${tokenSeconds}`,
      '[fernet_tokens]',
      `key_repository = ${join(dir, 'fernet-keys')}`,
      '[fernet_receipts]',
      `key_repository = ${join(dir, 'fernet-receipts')}`,
      '[credential]',
      `key_repository = ${join(dir, 'credential-keys')}`,
      '',
    ].join('\n'),
  );
  const manage = (...args: string[]) => {
    const result = spawnSync('keystone-manage', ['--config-file', config, ...args], {
      encoding: 'utf8',
      timeout: START_TIMEOUT_MS,
    });
    if (result.status !== 0) {
      throw new Error(`keystone-manage ${args[0] ?? ''} exited ${result.status}: ${result.stderr}`);
    }
  };
  let server: ChildProcess | undefined;
  try {
    manage('db_sync');
    // NOTE: Keystone leaves a read transaction open on a pooled connection under this WSGI
    // server, which makes every write after the first wait and fail with "database is locked";
    // in WAL mode a reader no longer blocks a writer. The mode is kept in the file.
    execFileSync('python3', [
      '-c',
      'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("pragma journal_mode=wal")',
      join(dir, 'keystone.db'),
    ]);
    manage('fernet_setup', '--keystone-user', 'root', '--keystone-group', 'root');
    manage('credential_setup', '--keystone-user', 'root', '--keystone-group', 'root');
    manage(
      'bootstrap',
      '--bootstrap-password',
      ADMIN_PASSWORD,
      '--bootstrap-public-url',
      `${url}/v3`,
      '--bootstrap-region-id',
      'RegionOne',
    );
    // NOTE: the WSGI server's own errors go to its stderr, kept beside Keystone's log.
    const serverLog = openSync(join(dir, 'server.log'), 'a');
    server = spawn('keystone-wsgi-public', ['--host', '127.0.0.1', '--port', String(port)], {
      env: { ...process.env, OS_KEYSTONE_CONFIG_FILES: config },
      stdio: ['ignore', serverLog, serverLog],
    });
    closeSync(serverLog);
    await waitForKeystone(url, server);
  } catch (error) {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const running = server;
  return keystoneClient(url, async () => {
    if (running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
}

async function waitForKeystone(url: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`keystone exited ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/v3`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('keystone did not answer in time');
}

function keystoneClient(url: string, stop: () => Promise<void>): Keystone {
  const issueToken = async (
    user = 'admin',
    password = ADMIN_PASSWORD,
    project = 'admin',
  ): Promise<TokenInfo> => {
    const response = await fetch(`${url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: user, domain: { id: 'default' }, password } },
          },
          scope: { project: { name: project, domain: { id: 'default' } } },
        },
      }),
    });
    const token = response.headers.get('x-subject-token');
    if (response.status !== 201 || token === null) {
      throw new Error(`token for ${user}: ${response.status} ${await response.text()}`);
    }
    const body = (await response.json()) as {
      token: { user: { id: string }; project: { id: string }; expires_at: string };
    };
    return {
      token,
      userId: body.token.user.id,
      projectId: body.token.project.id,
      expiresAt: Date.parse(body.token.expires_at),
    };
  };
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const { token } = await issueToken();
    const response = await fetch(`${url}/v3${path}`, {
      method,
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  const idOf = (answer: unknown, key: string): string =>
    ((answer as Record<string, { id: string }>)[key] ?? { id: '' }).id;
  const createProject = async (name: string) =>
    idOf(await admin('POST', '/projects', { project: { name, domain_id: 'default' } }), 'project');
  const createRole = async (name: string) => {
    const roles = (await admin('GET', `/roles?name=${name}`)) as { roles: { id: string }[] };
    const existing = roles.roles[0];
    if (existing !== undefined) return existing.id;
    return idOf(await admin('POST', '/roles', { role: { name } }), 'role');
  };
  const createUser = async (name: string, password: string) =>
    idOf(await admin('POST', '/users', { user: { name, password, domain_id: 'default' } }), 'user');
  const grant = async (userId: string, projectId: string, roleName: string) => {
    const roles = (await admin('GET', `/roles?name=${roleName}`)) as { roles: { id: string }[] };
    const role = roles.roles[0];
    if (role === undefined) throw new Error(`no role ${roleName}`);
    await admin('PUT', `/projects/${projectId}/users/${userId}/roles/${role.id}`);
  };
  return {
    url,
    issueToken,
    revokeToken: async (token) => {
      const { token: adminToken } = await issueToken();
      const response = await fetch(`${url}/v3/auth/tokens`, {
        method: 'DELETE',
        headers: { 'x-auth-token': adminToken, 'x-subject-token': token },
      });
      if (response.status !== 204) throw new Error(`revoke: ${response.status}`);
    },
    addServiceUser: async (name, password) => {
      await createRole('service');
      await grant(await createUser(name, password), await createProject('service'), 'service');
    },
    addMember: async (user, password, project) => {
      await grant(await createUser(user, password), await createProject(project), 'member');
    },
    registerEndpoint: async (type, name, endpointUrl) => {
      const service = idOf(
        await admin('POST', '/services', { service: { type, name } }),
        'service',
      );
      await admin('POST', '/endpoints', {
        endpoint: {
          service_id: service,
          interface: 'public',
          url: endpointUrl,
          region_id: 'RegionOne',
        },
      });
    },
    stop,
  };
}
