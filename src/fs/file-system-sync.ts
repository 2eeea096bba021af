/**
 * `syncfs(2)` from Node, which has no binding for it: coreutils' `sync -f FOLDER` makes the file
 * system holding FOLDER durable in one call.
 *
 * Spawning it from a worker costs about 6 ms of CPU (forking a process with a large heap), more
 * than the flush saves; so one small shell per instance runs it on request, reading a folder per
 * line and answering with `sync`'s exit status, for about 0.5 ms of the caller's CPU a flush. The
 * shell is started on first use, started again if it dies, and kept from holding the process
 * open while idle.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** Thrown where `sync -f` cannot run here (no shell, no coreutils, not Linux). */
export class FileSystemFlushUnavailableError extends Error {}

/**
 * The shell's loop; `$0` is the `sync` program. Its complaint and its status share one pipe, the
 * status last and marked, so that a status is never read before the complaint that explains it.
 */
const LOOP = `while IFS= read -r p; do "$0" -f -- "$p" 2>&1; printf '\\001%s\\n' "$?"; done`;
/** Starts a status line; anything else on stdout is what `sync` said. */
const STATUS = '\u0001';
/** The shell's status for a command it could not find or run. */
const NOT_RUNNABLE = new Set(['126', '127']);
/** What a `sync` without `-f` (busybox before 1.30, BSD, macOS) says. */
const UNSUPPORTED = /invalid option|unrecognized option|illegal option|usage/i;

interface Request {
  readonly folder: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

type Shell = ChildProcessByStdio<Writable, Readable, Readable>;

/** Runs `sync -f` through a long-lived shell. */
export class FileSystemSync {
  readonly #program: string;
  #shell: Shell | undefined;
  #pending: Request[] = [];
  #stdout = '';
  #said = '';
  #closed = false;

  /** @param program the `sync` to run; for tests. @defaultValue `sync` from `PATH` */
  constructor(program = 'sync') {
    this.#program = program;
  }

  /** Resolves once the file system holding `folder` is durable. */
  sync(folder: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('file system sync is closed'));
    if (folder.includes('\n')) {
      return Promise.reject(new FileSystemFlushUnavailableError('folder name holds a newline'));
    }
    return new Promise((resolve, reject) => {
      const shell = this.#shell ?? this.#start();
      this.#pending.push({ folder, resolve, reject });
      this.#ref(shell, true);
      shell.stdin.write(`${folder}\n`);
    });
  }

  /** Stops the shell; pending syncs fail. */
  close(): void {
    this.#closed = true;
    this.#shell?.stdin.end();
    this.#shell = undefined;
  }

  #start(): Shell {
    const shell = spawn('sh', ['-c', LOOP, this.#program], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#shell = shell;
    this.#stdout = '';
    this.#said = '';
    shell.stdout.setEncoding('utf8');
    shell.stderr.setEncoding('utf8');
    shell.stdout.on('data', (chunk: string) => {
      this.#stdout += chunk;
      this.#answer(shell);
    });
    // NOTE: the shell's own complaints (not sync's) come here.
    shell.stderr.on('data', (chunk: string) => {
      this.#said = (this.#said + chunk).slice(-2000);
    });
    // NOTE: a write to a shell that died fails here too; 'close' below fails the requests.
    shell.stdin.on('error', () => undefined);
    shell.on('error', (error) => {
      this.#fail(shell, new FileSystemFlushUnavailableError(`cannot run sh: ${error.message}`));
    });
    shell.on('close', (code, signal) => {
      this.#fail(shell, new Error(`the sync shell ended (${signal ?? `exit ${String(code)}`})`));
    });
    shell.unref();
    return shell;
  }

  #answer(shell: Shell): void {
    for (let end = this.#stdout.indexOf('\n'); end >= 0; end = this.#stdout.indexOf('\n')) {
      const line = this.#stdout.slice(0, end);
      this.#stdout = this.#stdout.slice(end + 1);
      if (!line.startsWith(STATUS)) {
        this.#said = `${this.#said}${line}\n`.slice(-2000);
        continue;
      }
      const status = line.slice(STATUS.length);
      const said = this.#said.trim();
      this.#said = '';
      const request = this.#pending.shift();
      if (request === undefined) continue;
      if (status === '0') {
        request.resolve();
      } else {
        request.reject(
          NOT_RUNNABLE.has(status) || UNSUPPORTED.test(said)
            ? new FileSystemFlushUnavailableError(`sync -f is not available: ${said}`)
            : new Error(`sync -f ${request.folder} failed: ${said || 'no reason given'}`),
        );
      }
    }
    if (this.#pending.length === 0) this.#ref(shell, false);
  }

  #fail(shell: Shell, error: Error): void {
    if (this.#shell === shell) this.#shell = undefined;
    for (const request of this.#pending.splice(0)) request.reject(error);
  }

  /** Keeps the process alive only while a sync is awaited. */
  #ref(shell: Shell, busy: boolean): void {
    if (busy) shell.ref();
    else shell.unref();
    for (const stream of [shell.stdout, shell.stderr] as unknown as {
      ref(): void;
      unref(): void;
    }[]) {
      if (busy) stream.ref();
      else stream.unref();
    }
  }
}
