/**
 * Who wrote a journal segment, and whether that writer may still be writing it: the machine's
 * boot id, and a process's id with its start time (so that a recycled pid is not mistaken for
 * the writer). Linux's `/proc` answers both; elsewhere a boot id cannot be known, and every
 * segment of another process is treated as if the machine had restarted since.
 */
import { readFileSync } from 'node:fs';

/** The boot id where none can be read: never equal to a real one. */
export const UNKNOWN_BOOT = 'unknown-boot';

/** The machine's boot id (changes at every boot). */
export function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || UNKNOWN_BOOT;
  } catch {
    return UNKNOWN_BOOT;
  }
}

/** A process's start time in clock ticks since boot, or `undefined` when it does not exist. */
export function processStartTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // NOTE: the command name (field 2) may hold spaces and parentheses; the fields after it start
  // after its last closing parenthesis, and the start time is field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** The start time of this process, read once. */
let ownStartTicks: string | undefined;

/** This process's start time in clock ticks since boot (`0` where `/proc` is missing). */
export function ownProcessStartTicks(): string {
  ownStartTicks ??= processStartTicks(process.pid) ?? '0';
  return ownStartTicks;
}

/** Whether the process `pid` that started at `startTicks` (this boot) is still running. */
export function isProcessRunning(pid: number, startTicks: string): boolean {
  const current = processStartTicks(pid);
  if (current !== undefined) return current === startTicks;
  // NOTE: without /proc, a signal-0 probe is the best answer: it cannot tell a recycled pid.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
