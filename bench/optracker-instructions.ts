/**
 * `npm run bench:optracker-instructions`: what op tracking adds to a read, in machine
 * instructions rather than seconds. The app of `read-app.ts` (100 metrics of 360 points, built in
 * one process) runs under Valgrind's callgrind (which must be installed), and reads of
 * `GET /v1/metric/<id>/measures?granularity=60&aggregation=mean` are made with tracking switched
 * on and off on the same app, for `--rounds` alternated pairs of rounds of `--reads` reads each. It
 * prints the instructions per read of every round, their medians and the median paired
 * difference. Callgrind counts every instruction of every thread of the process, and the same
 * reads count the same whatever else the machine is doing — which CPU time on a shared machine
 * did not (`docs/benchmarks.md`). The app runs with V8's `--single-threaded`: collections and
 * compilations happen on its one thread, as the reads ask for them, instead of on helper threads
 * whose share of the work depends on timing, which made rounds of the same reads differ by a tenth.
 *
 * `--via http` (the default): this process sends the reads over loopback HTTP from 8 clients, so
 * that what is counted is the server's work alone, sockets included. `--via inject`: the app
 * `inject`s them itself, 8 at a time (no sockets; the counts then include the injection).
 *
 * How a round is cut out: the app calls `lchown` on a path that does not exist at the start and
 * at the end of each round, and callgrind (`--dump-before=uv_fs_lchown`) writes out and zeroes
 * its counts at each call, so the dump made at a round's end holds that round alone. Nothing else
 * in Orzo calls `lchown`. The app takes its orders (`track on|off`, `read N`, `start`, `end`,
 * `exit`) on its standard input, one a line, and answers each with a line.
 *
 * Options: `--rounds 3` (pairs), `--reads 1000`, `--warmup 2000` (reads each way, twice, before
 * the rounds), `--via http|inject`, `--keep DIR` (write the dumps there and leave them).
 */
import { spawn } from 'node:child_process';
import { lchownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** Sends orders to the app and reads its answers. */
class AppUnderCallgrind {
  readonly #lines: AsyncIterator<string>;
  readonly #write: (line: string) => void;

  constructor(lines: AsyncIterator<string>, write: (line: string) => void) {
    this.#lines = lines;
    this.#write = write;
  }

  async next(): Promise<string> {
    const line = await this.#lines.next();
    if (line.done === true) throw new Error('the app under callgrind stopped');
    return line.value;
  }

  async order(line: string): Promise<void> {
    this.#write(line);
    const answer = await this.next();
    if (answer !== 'ok') throw new Error(`the app answered ${answer} to ${line}`);
  }
}

async function parent(): Promise<void> {
  const folder = flags.keep ?? mkdtempSync(join(tmpdir(), 'orzo-callgrind-'));
  if (flags.keep !== undefined) mkdirSync(folder, { recursive: true });
  try {
    const out = join(folder, 'callgrind.out');
    const valgrind = spawn(
      'valgrind',
      [
        ...['--tool=callgrind', '--dump-before=uv_fs_lchown', `--callgrind-out-file=${out}`],
        ...[process.execPath, '--single-threaded', '--expose-gc', '--import', 'tsx'],
        ...[import.meta.filename, '--child'],
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    valgrind.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // NOTE: what Valgrind or the app said is the only clue when the app stops early.
    valgrind.on('exit', (code) => {
      if (code !== 0) process.stderr.write(stderr);
    });
    const exited = new Promise<number | null>((resolve, reject) => {
      valgrind.on('error', reject);
      valgrind.on('exit', resolve);
    });
    const app = new AppUnderCallgrind(
      createInterface({ input: valgrind.stdout })[Symbol.asyncIterator](),
      (line) => valgrind.stdin.write(`${line}\n`),
    );
    const { url, ids } = JSON.parse(await app.next()) as { url: string; ids: string[] };
    const read = async (count: number): Promise<void> => {
      if (flags.via === 'inject') return app.order(`read ${String(count)}`);
      await runLoad({
        baseUrl: url,
        total: count,
        concurrency: CONCURRENCY,
        expectStatus: 200,
        next: (i) => ({
          method: 'GET',
          path: `/v1/metric/${ids[i % ids.length] ?? ''}/measures?granularity=60&aggregation=mean`,
          headers: ADMIN,
        }),
      });
    };
    // NOTE: both ways warmed up first, so that compiling the reads' code is billed to neither.
    for (const enabled of [true, false, true, false]) {
      await app.order(`track ${enabled ? 'on' : 'off'}`);
      await read(WARMUP_READS);
    }
    const order = settings();
    for (const enabled of order) {
      await app.order(`track ${enabled ? 'on' : 'off'}`);
      await read(200);
      await app.order('start');
      await read(READS);
      await app.order('end');
    }
    valgrind.stdin.end('exit\n');
    if ((await exited) !== 0) throw new Error(`the app under callgrind failed:\n${stderr}`);
    const dumps = readDumps(folder);
    // NOTE: dump 1 is everything before the first round; then each round's start and its end.
    const perRead = order.map((_, index) => Math.round((dumps.get(2 * index + 2) ?? NaN) / READS));
    const on = perRead.filter((_, index) => order[index] === true);
    const off = perRead.filter((_, index) => order[index] === false);
    const pairs = Array.from({ length: ROUNDS }, (_, pair) => {
      const [first = NaN, second = NaN] = perRead.slice(2 * pair, 2 * pair + 2);
      return order[2 * pair] === true ? first - second : second - first;
    });
    const medianOff = median(off);
    const difference = median(pairs);
    console.log(
      JSON.stringify(
        {
          node: process.version,
          via: flags.via,
          reads_per_round: READS,
          instructions_per_read: { on, off },
          median_instructions_per_read: { on: median(on), off: medianOff },
          median_difference: difference,
          tracking_cost_percent: Math.round((1000 * difference) / medianOff) / 10,
        },
        null,
        2,
      ),
    );
  } finally {
    if (flags.keep === undefined) rmSync(folder, { recursive: true, force: true });
  }
}

/** Tracking on or off, per round, in the order they run: pairs alternate which goes first. */
function settings(): boolean[] {
  const order: boolean[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    order.push(...(round % 2 === 0 ? [true, false] : [false, true]));
  }
  return order;
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

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
}

if (flags.child) await child();
else await parent();
