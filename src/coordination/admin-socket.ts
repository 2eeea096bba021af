/**
 * Admin sockets (Ceph's `.asok`): a long-running process answers JSON commands on a Unix socket,
 * so that another process on the machine (the API, for `GET /v1/ops/…`) can ask it what it is
 * doing right now. One command per connection: the client writes one JSON line, the server
 * answers one JSON line and closes.
 *
 * metricd's reporters listen at `<dataDir>/metricd/<name>.asok`; {@link askAdminSockets} asks
 * every one in a folder. A socket file whose process died refuses connections and is removed by
 * the first client that finds it so.
 */
import { readdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

import { errorCode } from '../fs/fs-helpers.ts';

/** Answers one command. */
export type AdminHandler = (command: unknown) => Promise<unknown>;

/** A listening admin socket. */
export interface AdminSocket {
  readonly path: string;
  /** Stops listening and removes the socket file. */
  close(): Promise<void>;
}

/** The suffix of admin socket files. */
export const ADMIN_SOCKET_SUFFIX = '.asok';
/** Longest command or answer accepted, so that a bad peer cannot fill memory. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Listens on `path` (replacing a stale file) and answers commands with `handler`. */
export async function serveAdminSocket(path: string, handler: AdminHandler): Promise<AdminSocket> {
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
  const server = createServer((socket) => {
    readLine(socket)
      .then(async (line) => JSON.stringify(await handler(JSON.parse(line))))
      .catch((error: unknown) => JSON.stringify({ error: String(error) }))
      .then((answer) => socket.end(`${answer}\n`))
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return { path, close: () => closeServer(server, path) };
}

/** Sends one command to one socket and resolves with its answer. */
export function askAdminSocket(
  path: string,
  command: unknown,
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new Error(`admin socket ${path} did not answer within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    readLine(socket).then((line) => {
      resolve(JSON.parse(line));
    }, reject);
  });
}

/**
 * Sends one command to every admin socket in a folder, at once; answers by socket name (the file
 * name without `.asok`). A socket that fails answers `{ error }`; one that refuses connections is
 * a dead process's and is removed.
 */
export async function askAdminSockets(
  folder: string,
  command: unknown,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => name.endsWith(ADMIN_SOCKET_SUFFIX));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {};
    throw error;
  }
  const answers = await Promise.all(
    names.map(async (name) => {
      const path = join(folder, name);
      try {
        return [name, await askAdminSocket(path, command, timeoutMs)] as const;
      } catch (error) {
        if (errorCode(error) === 'ECONNREFUSED') {
          await unlink(path).catch(() => undefined);
          return undefined;
        }
        return [name, { error: error instanceof Error ? error.message : String(error) }] as const;
      }
    }),
  );
  return Object.fromEntries(
    answers
      .filter((answer) => answer !== undefined)
      .map(([name, answer]) => [name.slice(0, -ADMIN_SOCKET_SUFFIX.length), answer]),
  );
}

function readLine(socket: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) {
        socket.off('data', onData);
        resolve(text.slice(0, end));
      } else if (text.length > MAX_LINE_BYTES) {
        socket.off('data', onData);
        reject(new Error('admin socket line too long'));
      }
    };
    socket.on('data', onData);
    socket.once('end', () => {
      reject(new Error('admin socket closed without an answer'));
    });
    socket.once('error', reject);
  });
}

async function closeServer(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  await unlink(path).catch(() => undefined);
}
