/**
 * Redis helpers for tests: an isolated key prefix on the shared Redis (removed afterwards), and a
 * private `redis-server` on a free loopback port for tests that stop and restart Redis, never the
 * shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Redis } from 'ioredis';

import { freePort } from './free-port.ts';

/** The shared test Redis. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long a private redis-server may take to accept connections. */
const START_TIMEOUT_MS = 20_000;

/** A prefix no other test run uses. */
export function randomPrefix(): string {
  return `orzo-test-${randomUUID()}:`;
}

/** Deletes every key under a prefix. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A private redis-server. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts (or restarts) the server on the same port and data folder. */
  start(): Promise<void>;
  /** Stops the server with a signal and waits for it to exit. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Stops the server if running and removes its data folder. */
  dispose(): Promise<void>;
}

/** A redis-server with append-only persistence (fsync on every write) in its own folder. */
export async function privateRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'orzo-redis-'));
  let child: ChildProcess | undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--dir',
    dir,
  ];
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    start: async () => {
      const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      try {
        await untilReady(started);
      } catch (error) {
        await server.stop('SIGKILL');
        throw error;
      }
    },
    stop: async (signal) => {
      const running = child;
      child = undefined;
      // NOTE: a process ended by a signal keeps `exitCode` null; `signalCode` says it is gone.
      if (running?.exitCode !== null || running.signalCode !== null) {
        return;
      }
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      await exited;
    },
    dispose: async () => {
      await server.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Resolves once redis-server accepts connections; rejects if it exits or takes too long. */
async function untilReady(started: ChildProcess): Promise<void> {
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`redis-server not ready within ${START_TIMEOUT_MS} ms: ${output}`));
      }, START_TIMEOUT_MS);
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) => {
        reject(new Error(`redis-server exited ${code}: ${output}`));
      });
    });
  } finally {
    clearTimeout(timer);
  }
}
