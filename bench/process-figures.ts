/** Figures of a running process read from `/proc`, for the benchmarks that start Orzo. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    // NOTE: fields after the command name (which may hold spaces) start after its closing paren.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The peak resident memory of a process in MiB; `null` once it is gone. */
export function peakRssMiB(pid: number): number | null {
  return statusMiB(pid, 'VmHWM');
}

/** The resident memory of a process now, in MiB; `null` once it is gone. */
export function rssMiB(pid: number): number | null {
  return statusMiB(pid, 'VmRSS');
}

function statusMiB(pid: number, field: string): number | null {
  try {
    const line = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
      readFileSync(`/proc/${String(pid)}/status`, 'utf8'),
    );
    return line === null ? null : Math.round(Number(line[1]) / 1024);
  } catch {
    return null;
  }
}
