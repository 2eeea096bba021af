/**
 * `npm run bench:read-syscalls`: the system calls a read of measures makes, counted by `strace`
 * (which must be installed). It runs itself as a child under `strace -f` (every thread): the app
 * of `read-app.ts` (100 metrics of 360 points, in one process) makes 200 reads of
 * `GET /v1/metric/<id>/measures?granularity=60&aggregation=mean`, then `--reads` more between the
 * marks of `syscall-marks.ts`, `inject`ed 8 at a time; it prints how many of each call a read
 * made, and their sum. Tracking is on, as by default.
 *
 * Options: `--reads 1000`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { openReadApp } from './read-app.ts';
import { countBetweenMarks, markEnd, markStart } from './syscall-marks.ts';

const { values: flags } = parseArgs({
  options: {
    reads: { type: 'string', default: '1000' },
    child: { type: 'boolean', default: false },
  },
});
const READS = Number(flags.reads);

if (flags.child) {
  const app = await openReadApp(8);
  try {
    await app.read(200);
    markStart();
    await app.read(READS);
    markEnd();
  } finally {
    await app.close();
  }
} else {
  const folder = mkdtempSync(join(tmpdir(), 'orzo-read-syscalls-'));
  try {
    const trace = join(folder, 'strace.txt');
    const run = spawnSync(
      'strace',
      [
        ...['-f', '-qq', '-o', trace],
        ...[process.execPath, '--import', 'tsx', import.meta.filename],
        ...['--child', '--reads', String(READS)],
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.error !== undefined) throw run.error;
    if (run.status !== 0) throw new Error(`the traced bench failed:\n${run.stderr}`);
    const counts = [...countBetweenMarks(readFileSync(trace, 'utf8'))].sort((a, b) => b[1] - a[1]);
    const perRead = (count: number): number => Math.round((count / READS) * 100) / 100;
    const total = counts.reduce((sum, [, count]) => sum + count, 0);
    console.log(
      JSON.stringify(
        {
          reads: READS,
          syscalls_per_read: perRead(total),
          by_call: Object.fromEntries(counts.map(([name, count]) => [name, perRead(count)])),
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
