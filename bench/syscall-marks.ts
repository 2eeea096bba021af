/**
 * Cutting a system-call trace to the part a benchmark times: the bench asks for two paths (with
 * `stat`, never finding them) just before and just after it, and `countBetweenMarks` counts the
 * calls of an `strace -f` trace between the two (`bench:pass-syscalls`, `bench:read-syscalls`).
 */
import { statSync } from 'node:fs';

const STARTS = '/nonexistent/orzo-bench-starts';
const ENDS = '/nonexistent/orzo-bench-ends';

/** Marks the start of the timed part. */
export function markStart(): void {
  statSync(STARTS, { throwIfNoEntry: false });
}

/** Marks its end. */
export function markEnd(): void {
  statSync(ENDS, { throwIfNoEntry: false });
}

/**
 * Calls per name between the last start mark and the end mark. A call `strace` saw begin in one
 * thread and end after another's is written twice (`<unfinished …>`, then `<… resumed>`): it
 * counts once, at its start.
 */
export function countBetweenMarks(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.includes(STARTS)) {
      inside = true;
      counts.clear();
      continue;
    }
    if (line.includes(ENDS)) break;
    if (!inside || line.includes(' resumed>')) continue;
    const call = /^\d+\s+([a-z_0-9]+)\(/.exec(line)?.[1];
    if (call !== undefined) counts.set(call, (counts.get(call) ?? 0) + 1);
  }
  return counts;
}
