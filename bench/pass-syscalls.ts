/**
 * `npm run bench:pass-syscalls`: the system calls metricd's pass makes per metric, counted by
 * `strace` (which must be installed). It runs `bench/pass.bench.ts --marks` under
 * `strace -f` (every thread: the event loop's and the thread pool's), keeps the calls made
 * between the two paths the bench asks for around its timed pass (`syscall-marks.ts`), and prints,
 * per metric folded, how many of each it made, and their sum. Unlike the bench's timings, these
 * counts do not move with the machine's load, so that two builds compare at a glance.
 *
 * Options: `--metrics 2000` `--points 60` (each metric new, one batch, as in `bench:pass`),
 * `--existing` (fold each metric twice, counting the second pass: a metric that already has a
 * pack, whose second slot the pass makes) and `--passes N` (fold each metric N times, counting the
 * last: from the third on, steady state, both slots there, one current and one retired).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { countBetweenMarks } from './syscall-marks.ts';

const { values: flags } = parseArgs({
  options: {
    metrics: { type: 'string', default: '2000' },
    points: { type: 'string', default: '60' },
    existing: { type: 'boolean', default: false },
    passes: { type: 'string' },
  },
});
const METRICS = Number(flags.metrics);
const PASSES = Number(flags.passes ?? (flags.existing ? 2 : 1));
if (!Number.isInteger(PASSES) || PASSES < 1) throw new Error('--passes takes a whole number ≥ 1');

const folder = mkdtempSync(join(tmpdir(), 'orzo-pass-syscalls-'));
try {
  const trace = join(folder, 'strace.txt');
  const run = spawnSync(
    'strace',
    [
      ...['-f', '-qq', '-o', trace],
      ...[process.execPath, '--import', 'tsx', join(import.meta.dirname, 'pass.bench.ts')],
      ...['--marks', '--metrics', String(METRICS), '--points', flags.points],
      ...['--passes', String(PASSES)],
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0) throw new Error(`the traced bench failed:\n${run.stderr}`);
  const counts = countBetweenMarks(readFileSync(trace, 'utf8'));
  const perMetric = Object.fromEntries(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => [name, Math.round((count / METRICS) * 100) / 100]),
  );
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  console.log(
    JSON.stringify(
      {
        metrics: METRICS,
        points: Number(flags.points),
        pass:
          PASSES === 1 ? 'new metrics (first pass)' : `existing metrics (pass ${String(PASSES)})`,
        syscalls_per_metric: Math.round((total / METRICS) * 100) / 100,
        by_call: perMetric,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
