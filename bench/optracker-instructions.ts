/**
 * `npm run bench:optracker-instructions`: what op tracking adds to a read, in machine
 * instructions rather than seconds. Two copies of the app of `read-app.ts` (100 metrics of 360
 * points, built in one process each) run under Valgrind's callgrind (which must be installed),
 * one with tracking on and one with it off, and are given the same reads of
 * `GET /v1/metric/<id>/measures?granularity=60&aggregation=mean` at the same time, in `--rounds`
 * rounds of `--reads` reads. It prints the instructions per read of every round of each, their
 * differences round by round, and the mean difference with its standard error. Callgrind counts
 * every instruction of the process, and the same reads count the same whatever else the machine
 * is doing — which CPU time on a shared machine did not (`docs/benchmarks.md`). The apps run with
 * V8's `--single-threaded`: collections and compilations happen on the one thread, as the reads
 * ask for them, rather than on helper threads whose share depends on timing.
 *
 * Why twins, and means: a round's count depends on where the app's collections fall, so rounds
 * of one app differ by up to a tenth. Switching tracking on and off in turn on one app let a
 * round's garbage be collected in the next round, of the other setting; each twin pays for its
 * own, and its mean over all rounds includes every collection its reads caused.
 *
 * `--via http` (the default): this process sends the reads over loopback HTTP from 8 clients per
 * app, so that what is counted is the server's work alone, sockets included. `--via inject`: each
 * app `inject`s them itself, 8 at a time (no sockets; the counts then include the injection).
 *
 * How a round is cut out: an app calls `lchown` on a path that does not exist at the start and
 * at the end of each round, and callgrind (`--dump-before=uv_fs_lchown`) writes out and zeroes
 * its counts at each call, so the dump made at a round's end holds that round alone. Nothing else
 * in Orzo calls `lchown`. An app takes its orders (`track on|off`, `read N`, `start`, `end`,
 * `exit`) on its standard input, one a line, and answers each with a line.
 *
 * Options: `--rounds 3`, `--reads 1000`, `--warmup 2000` (reads before the rounds),
 * `--via http|inject`, `--keep DIR` (write the dumps in `DIR/on` and `DIR/off` and leave them).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { lchownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { mulberry32 } from '../test/support/mulberry32.ts';
import { ADMIN } from './bench-workload.ts';
import { runLoad } from './http-load.ts';
import { openReadApp } from './read-app.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    reads: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '2000' },
    via: { type: 'string', default: 'http' },
    keep: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(flags.rounds);
const READS = Number(flags.reads);
const WARMUP_READS = Number(flags.warmup);
const CONCURRENCY = 8;
const MARK_PATH = '/nonexistent-orzo-callgrind-mark';

function mark(): void {
  try {
    lchownSync(MARK_PATH, 0, 0);
  } catch {
    // NOTE: the call is the mark; it is meant to fail.
  }
}

/** The app under callgrind: sets up, then obeys the orders on its standard input. */
async function child(): Promise<void> {
  // NOTE: the same measures on every run, so that two runs read the same splits.
  Math.random = mulberry32(19);
  const app = await openReadApp(CONCURRENCY);
  const answer = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  try {
    answer(JSON.stringify({ url: app.url, ids: app.ids }));
    for await (const order of createInterface({ input: process.stdin })) {
      const [verb, argument] = order.split(' ');
      if (verb === 'exit') break;
      if (verb === 'track') app.tracker.setEnabled(argument === 'on');
      else if (verb === 'read') await app.read(Number(argument));
      else if (verb === 'start') {
        // NOTE: a collection left over from before must not be billed to the round. It runs on a
        // turn of its own, after whatever the last job kept alive for WeakRefs is let go.
        await sleep(20);
        (globalThis as { gc?: () => void }).gc?.();
        mark();
      } else if (verb === 'end') mark();
      else throw new Error(`unknown order: ${order}`);
      answer('ok');
    }
  } finally {
    process.stdin.destroy();
    await app.close();
  }
}

/** An app started under callgrind: sends it orders and reads its answers. */
class AppUnderCallgrind {
  readonly #folder: string;
  readonly #process: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #lines: AsyncIterator<string>;
  readonly #exited: Promise<number | null>;
  #url = '';
  #ids: readonly string[] = [];

  private constructor(folder: string, child: ChildProcessByStdio<Writable, Readable, Readable>) {
    this.#folder = folder;
    this.#process = child;
    this.#lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.#exited = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => {
        // NOTE: what Valgrind or the app said is the only clue when the app stops early.
        if (code !== 0) process.stderr.write(stderr);
        resolve(code);
      });
    });
  }

  /** Starts the app with its dumps in `folder`, and waits until it serves. */
  static async start(folder: string): Promise<AppUnderCallgrind> {
    mkdirSync(folder, { recursive: true });
    const child = spawn(
      'valgrind',
      [
        ...['--tool=callgrind', '--dump-before=uv_fs_lchown'],
        `--callgrind-out-file=${join(folder, 'callgrind.out')}`,
        ...[process.execPath, '--single-threaded', '--expose-gc', '--import', 'tsx'],
        ...[import.meta.filename, '--child'],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const app = new AppUnderCallgrind(folder, child);
    const { url, ids } = JSON.parse(await app.next()) as { url: string; ids: string[] };
    app.#url = url;
    app.#ids = ids;
    return app;
  }

  async next(): Promise<string> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error('the app under callgrind stopped');
    return line.value;
  }

  async order(line: string): Promise<void> {
    this.#process.stdin.write(`${line}\n`);
    const answer = await this.next();
    if (answer !== 'ok') throw new Error(`the app answered ${answer} to ${line}`);
  }

  async read(count: number): Promise<void> {
    if (flags.via === 'inject') return this.order(`read ${String(count)}`);
    await runLoad({
      baseUrl: this.#url,
      total: count,
      concurrency: CONCURRENCY,
      expectStatus: 200,
      next: (i) => ({
        method: 'GET',
        path: `/v1/metric/${this.#ids[i % this.#ids.length] ?? ''}/measures?granularity=60&aggregation=mean`,
        headers: ADMIN,
      }),
    });
  }

  /** Stops the app at once; nothing happens to one that has exited. */
  kill(): void {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      this.#process.kill('SIGKILL');
    }
  }

  /** Tells the app to exit, and returns its instructions per read of each round. */
  async exit(rounds: number): Promise<number[]> {
    this.#process.stdin.end('exit\n');
    if ((await this.#exited) !== 0) throw new Error(`the app under callgrind failed`);
    const dumps = readDumps(this.#folder);
    // NOTE: dump 1 is everything before the first round; then each round's start and its end.
    return Array.from({ length: rounds }, (_, round) =>
      Math.round((dumps.get(2 * round + 2) ?? NaN) / READS),
    );
  }
}

async function parent(): Promise<void> {
  const folder = flags.keep ?? mkdtempSync(join(tmpdir(), 'orzo-callgrind-'));
  const apps: AppUnderCallgrind[] = [];
  try {
    // NOTE: two apps, one tracking and one not, given the same orders at the same time, so that
    // each pays for the collections its own reads cause (see the header).
    const starts = await Promise.allSettled(
      ['on', 'off'].map((name) => AppUnderCallgrind.start(join(folder, name))),
    );
    apps.push(...starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : [])));
    const [on, off] = apps;
    if (on === undefined || off === undefined) {
      throw new Error('an app under callgrind did not start', {
        cause: starts.find((start) => start.status === 'rejected')?.reason,
      });
    }
    const both = (act: (app: AppUnderCallgrind) => Promise<void>): Promise<unknown> =>
      Promise.all([act(on), act(off)]);
    await on.order('track on');
    await off.order('track off');
    // NOTE: warmed up first, so that compiling the reads' code is billed to no round.
    await both((app) => app.read(WARMUP_READS));
    for (let round = 0; round < ROUNDS; round++) {
      await both((app) => app.read(200));
      await both((app) => app.order('start'));
      await both((app) => app.read(READS));
      await both((app) => app.order('end'));
    }
    const [perReadOn, perReadOff] = await Promise.all([on.exit(ROUNDS), off.exit(ROUNDS)]);
    const differences = perReadOn.map((count, round) => count - (perReadOff[round] ?? NaN));
    const meanOff = mean(perReadOff);
    const difference = mean(differences);
    const standardError = Math.sqrt(variance(differences) / differences.length);
    const percent = (instructions: number): number =>
      Math.round((1000 * instructions) / meanOff) / 10;
    console.log(
      JSON.stringify(
        {
          node: process.version,
          via: flags.via,
          reads_per_round: READS,
          instructions_per_read: { on: perReadOn, off: perReadOff },
          differences,
          mean_instructions_per_read: { on: Math.round(mean(perReadOn)), off: Math.round(meanOff) },
          mean_difference: Math.round(difference),
          standard_error: Math.round(standardError),
          tracking_cost_percent: percent(difference),
          standard_error_percent: percent(standardError),
        },
        null,
        2,
      ),
    );
  } finally {
    // NOTE: an app left running when the other failed would keep this process waiting on it.
    for (const app of apps) app.kill();
    if (flags.keep === undefined) rmSync(folder, { recursive: true, force: true });
  }
}

/** Instructions of each numbered dump. */
function readDumps(folder: string): Map<number, number> {
  const dumps = new Map<number, number>();
  for (const name of readdirSync(folder)) {
    const match = /^callgrind\.out\.(\d+)$/.exec(name);
    if (match === null) continue;
    const totals = /^totals: (\d+)$/m.exec(readFileSync(join(folder, name), 'utf8'));
    dumps.set(Number(match[1]), Number(totals?.[1]));
  }
  return dumps;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The sample variance (n − 1). */
function variance(values: readonly number[]): number {
  const average = mean(values);
  return values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (values.length - 1);
}

if (flags.child) await child();
else await parent();
