/**
 * Runs the real `orzo` command as a child process for integration tests: `orzo upgrade` on a
 * fresh data folder, then a long-running command (`orzo api`, later `orzo serve`) on a free
 * loopback port, stopped with SIGTERM at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');

/** A running Orzo process. */
export interface OrzoProcess {
  readonly url: string;
  readonly dataDir: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Runs `orzo <args>` to completion; throws with its output if it fails. */
export function runOrzo(args: readonly string[]): string {
  const result = spawnSync(process.execPath, [ORZO, ...args], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `orzo ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** Options of {@link startOrzo}. */
export interface StartOrzoOptions {
  /** Write the process's output to this file instead of keeping it in memory (benchmarks). */
  readonly logFile?: string;
}

/** Upgrades a new data folder and starts `orzo <command>` on it; waits for /healthcheck. */
export async function startOrzo(
  command: string,
  flags: readonly string[] = [],
  options: StartOrzoOptions = {},
): Promise<OrzoProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-it-'));
  runOrzo(['upgrade', '--data-dir', dataDir, ...flags]);
  const port = await freePort();
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [ORZO, command, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port), ...flags],
    { stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'] },
  );
  if (logFd !== undefined) closeSync(logFd);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => output);
  return {
    url,
    dataDir,
    output: () => output,
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`orzo exited ${child.exitCode}: ${output()}`);
    try {
      const response = await fetch(`${url}/healthcheck`);
      if (response.ok) return;
    } catch {
      // NOTE: not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`orzo did not answer /healthcheck within 30 s: ${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
