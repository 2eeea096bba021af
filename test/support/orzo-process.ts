/**
 * Runs the real `orzo` command as a child process for integration tests: `orzo upgrade` on a
 * fresh data folder, then a long-running command (`orzo api`, later `orzo serve`) on a free
 * loopback port, stopped with SIGTERM at the end. Reliability tests use {@link launchOrzo} to
 * kill the command and start it again on the same data folder and port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from './free-port.ts';

export { freePort } from './free-port.ts';

const ORZO = join(import.meta.dirname, '..', '..', 'bin', 'orzo.js');
/** How long a command may take to answer /healthcheck, and SIGTERM to end it. */
// NOTE: generous: the scale-out tests start five processes at once on two cores, each loading
// TypeScript through tsx, and one was seen to take over 30 s under a full test run.
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;

/** A running Orzo process. */
export interface OrzoProcess {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A running `orzo` command on a data folder that belongs to the caller. */
export interface OrzoChild {
  readonly url: string;
  readonly pid: number;
  /** Everything the process printed so far (read back from the log file when it has one). */
  output(): string;
  /** Whether the process has ended, by itself or by a signal. */
  hasExited(): boolean;
  /** Sends `signal` and resolves once the process has ended (at once if it already had). */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if the process is still there after 10 s. */
  stop(): Promise<void>;
}

/** Options of {@link runOrzo}. */
export interface RunOrzoOptions {
  /** Extra environment variables (e.g. `ORZO_METRICD_REPORTER_GRACE_SECONDS`). @defaultValue none */
  readonly env?: Readonly<Record<string, string>>;
  /** What the command reads on standard input. @defaultValue nothing */
  readonly input?: string;
}

/** Runs `orzo <args>` to completion; throws with its output if it fails. */
export function runOrzo(args: readonly string[], options: RunOrzoOptions = {}): string {
  const result = spawnSync(process.execPath, [ORZO, ...args], {
    encoding: 'utf8',
    timeout: START_TIMEOUT_MS,
    env: { ...process.env, ...options.env },
    input: options.input ?? '',
  });
  if (result.status !== 0) {
    throw new Error(
      `orzo ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/**
 * Runs `orzo <args>` to completion without blocking the test's event loop, so that several
 * commands (each loading TypeScript, seconds under load) run side by side.
 */
export function runOrzoAsync(
  args: readonly string[],
  options: RunOrzoOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ORZO, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      timeout: START_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.input ?? '');
    child.once('error', reject);
    child.once('close', (status) => {
      if (status === 0) resolve(stdout);
      else reject(new Error(`orzo ${args.join(' ')} exited ${String(status)}: ${stderr}${stdout}`));
    });
  });
}

/** Options of {@link startOrzo}. */
export interface StartOrzoOptions {
  /** Write the process's output to this file instead of keeping it in memory (benchmarks). */
  readonly logFile?: string;
  /** Extra environment variables (e.g. `ORZO_METRICD_TICK_SECONDS`). @defaultValue none */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Flags for node itself, before the script (benchmarks' `--cpu-prof`); the workers metricd
   * forks inherit them. @defaultValue none
   */
  readonly nodeFlags?: readonly string[];
}

/** Upgrades a new data folder and starts `orzo <command>` on it; waits for /healthcheck. */
export async function startOrzo(
  command: string,
  flags: readonly string[] = [],
  options: StartOrzoOptions = {},
): Promise<OrzoProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orzo-it-'));
  let child: OrzoChild;
  try {
    runOrzo(['upgrade', '--data-dir', dataDir, ...flags]);
    child = await launchOrzo(command, { dataDir, port: await freePort(), flags, ...options });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: child.url,
    pid: child.pid,
    dataDir,
    output: () => child.output(),
    stop: async () => {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Options of {@link launchOrzo}. */
export interface LaunchOrzoOptions extends StartOrzoOptions {
  /** A data folder that `orzo upgrade` has prepared; it is left in place. */
  readonly dataDir: string;
  /** The loopback port to listen on; the same one again after a restart. */
  readonly port: number;
  /** Flags after `--data-dir`, `--host` and `--port`. @defaultValue none */
  readonly flags?: readonly string[];
}

/** Starts `orzo <command>` on an upgraded data folder and a given port; waits for /healthcheck. */
export async function launchOrzo(command: string, options: LaunchOrzoOptions): Promise<OrzoChild> {
  const { port, flags = [] } = options;
  const url = `http://127.0.0.1:${port}`;
  const flagsWithPort = ['--host', '127.0.0.1', '--port', String(port), ...flags];
  return spawnOrzo(command, { ...options, flags: flagsWithPort }, (child, output) =>
    waitUntilReady(child, output, 'answer /healthcheck', () => answersHealthcheck(url)),
  ).then((child) => ({ ...child, url }));
}

/** Options of {@link launchMetricd}. */
export type LaunchMetricdOptions = Omit<LaunchOrzoOptions, 'port'>;

/** A running `orzo metricd`. */
export type MetricdChild = Omit<OrzoChild, 'url'>;

/** Starts `orzo metricd` on an upgraded data folder; waits until its workers are started. */
export async function launchMetricd(options: LaunchMetricdOptions): Promise<MetricdChild> {
  return spawnOrzo('metricd', options, (child, output) =>
    waitUntilReady(child, output, "print 'metricd started'", () =>
      output().includes('metricd started'),
    ),
  );
}

/** Starts `orzo statsd`, `orzo graphite` or `orzo agent`; waits until it listens. */
export async function launchListener(
  command: 'statsd' | 'graphite' | 'agent',
  options: LaunchMetricdOptions,
): Promise<MetricdChild> {
  return spawnOrzo(command, options, (child, output) =>
    waitUntilReady(child, output, `print '${command} listening'`, () =>
      output().includes(`${command} listening`),
    ),
  );
}

async function spawnOrzo(
  command: string,
  options: LaunchMetricdOptions,
  waitReady: (child: ChildProcess, output: () => string) => Promise<void>,
): Promise<MetricdChild> {
  const { dataDir, flags = [], logFile, env = {}, nodeFlags = [] } = options;
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const args = [...nodeFlags, ORZO, command, '--data-dir', dataDir, ...flags];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    env: { ...process.env, ...env },
  });
  if (logFd !== undefined) closeSync(logFd);
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => (buffered += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (buffered += chunk.toString()));
  const output = (): string => (logFile === undefined ? buffered : readFileSync(logFile, 'utf8'));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (!hasExited(child)) child.kill(signal);
    await exited;
  };
  try {
    await waitReady(child, output);
  } catch (error) {
    await kill('SIGKILL');
    throw error;
  }
  return {
    pid: child.pid ?? -1,
    output,
    hasExited: () => hasExited(child),
    kill,
    stop: async () => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await kill('SIGTERM');
      clearTimeout(timer);
    },
  };
}

function hasExited(child: ChildProcess): boolean {
  // NOTE: a process ended by a signal keeps `exitCode` null; `signalCode` says it is gone.
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Polls `isReady` until it holds; throws with the process's output if the process ends first or
 * 30 s pass (naming `what` it waited for).
 */
async function waitUntilReady(
  child: ChildProcess,
  output: () => string,
  what: string,
  isReady: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (hasExited(child)) {
      throw new Error(`orzo exited ${child.exitCode ?? child.signalCode}: ${output()}`);
    }
    if (await isReady()) return;
    if (Date.now() > deadline)
      throw new Error(`orzo did not ${what} within ${START_TIMEOUT_MS / 1000} s: ${output()}`);
    await sleep(50);
  }
}

async function answersHealthcheck(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthcheck`, { signal: AbortSignal.timeout(5_000) });
    return response.ok;
  } catch {
    // NOTE: not listening yet.
    return false;
  }
}
