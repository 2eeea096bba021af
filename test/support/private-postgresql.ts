/**
 * A PostgreSQL server of a test's own, made with `initdb` in a temporary folder and run as the
 * `postgres` user on a free port, so that a test may crash and restart it without touching the
 * shared test server. Trust authentication, database `test`; fsync off (what is tested is how
 * Orzo lives through the server going away, not the server's own durability).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { freePort } from './free-port.ts';

const START_TIMEOUT_MS = 60_000;

/** A private PostgreSQL server. */
export interface PostgresqlServer {
  readonly url: string;
  start(): Promise<void>;
  /** `SIGKILL` of the postmaster (a crash), or `SIGINT` (PostgreSQL's fast shutdown). */
  stop(signal: 'SIGKILL' | 'SIGINT'): Promise<void>;
  dispose(): Promise<void>;
}

/** The folder of PostgreSQL's server programs (`initdb`, `postgres`). */
function binaries(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  const newest = versions.at(-1);
  if (newest === undefined) throw new Error('no PostgreSQL server installed');
  return join('/usr/lib/postgresql', newest, 'bin');
}

/** The user the server runs as: PostgreSQL refuses to run as root. */
function asPostgres(command: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, [...args]];
}

/** Makes the cluster (not started). */
export async function privatePostgresqlServer(): Promise<PostgresqlServer> {
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'orzo-pg-'));
  const data = join(root, 'data');
  if (process.getuid?.() === 0) {
    const user = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(root, Number(user.stdout), Number(group.stdout));
  }
  const bin = binaries();
  const [initdb, initArgs] = asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
  ]);
  const made = spawnSync(initdb, initArgs, { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`initdb failed: ${made.stderr}${made.stdout}`);
  let child: ChildProcess | undefined;
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const server: PostgresqlServer = {
    url,
    start: async () => {
      const [postgres, args] = asPostgres(join(bin, 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        root,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
      ]);
      child = spawn(postgres, args, { stdio: 'ignore' });
      await untilAccepting(url, child);
    },
    stop: async (signal) => {
      const running = child;
      child = undefined;
      // NOTE: a process ended by a signal keeps `exitCode` null; `signalCode` says it is gone.
      if (running?.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      // NOTE: runuser does not pass signals on: the postmaster is signalled by its pid.
      signalServer(data, signal);
      await exited;
    },
    dispose: async () => {
      await server.stop('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
  return server;
}

/** Signals the postmaster by the pid in its pid file (runuser does not pass signals on). */
function signalServer(data: string, signal: NodeJS.Signals): void {
  const result = spawnSync('head', ['-1', join(data, 'postmaster.pid')], { encoding: 'utf8' });
  const pid = Number(result.stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // NOTE: already gone.
  }
  if (signal === 'SIGKILL') {
    // NOTE: a killed postmaster leaves its backends; they exit once they notice, but a restart
    // must not wait for them to hold the port.
    spawnSync('pkill', ['-KILL', '-P', String(pid)]);
  }
}

async function untilAccepting(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
