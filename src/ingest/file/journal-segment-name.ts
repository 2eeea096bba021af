/**
 * Names in `DIR/incoming/journal/`: a segment names its writer, and a segment being recovered
 * names its recoverer too, so that anyone can tell whether the process behind a name still runs.
 *
 *     <owner>-<seq>.wal                  a segment its owner appends to, or has retired
 *     <owner>-<seq>.wal.<owner>.claim    the same segment, taken over by a recovering process
 *
 * where `<owner>` is `<boot id>_<pid>_<start ticks>_<token>`: the boot id and start time make a
 * recycled pid (after a reboot, or not) a different owner; the token tells apart the journals of
 * one process.
 */
import { randomBytes } from 'node:crypto';

import { isProcessRunning, ownProcessStartTicks, UNKNOWN_BOOT } from './process-identity.ts';

const OWNER = String.raw`(([0-9a-z]+)_(\d+)_(\d+)_([0-9a-f]{8}))`;
const SEGMENT = new RegExp(`^(${OWNER}-\\d{8})\\.wal$`);
const CLAIM = new RegExp(`^(${OWNER}-\\d{8})\\.wal\\.${OWNER}\\.claim$`);

/** The journals of this process that are open, by owner. */
const OPEN_OWNERS = new Set<string>();

/** One writer (or recoverer) of journal segments. */
export interface JournalOwner {
  readonly name: string;
  readonly bootId: string;
  readonly pid: number;
  readonly startTicks: string;
}

/** A name found in the journal folder. */
export type JournalName =
  | { readonly kind: 'segment'; readonly segment: string; readonly owner: JournalOwner }
  | {
      readonly kind: 'claim';
      readonly segment: string;
      readonly owner: JournalOwner;
      readonly claimer: JournalOwner;
    };

function compactBoot(bootId: string): string {
  return bootId.toLowerCase().replace(/[^0-9a-z]/g, '');
}

/** A new owner for a journal of this process; registered as open until {@link closeOwner}. */
export function openOwner(bootId: string): JournalOwner {
  const pid = process.pid;
  const startTicks = ownProcessStartTicks();
  const token = randomBytes(4).toString('hex');
  const boot = compactBoot(bootId);
  const owner = { name: `${boot}_${pid}_${startTicks}_${token}`, bootId: boot, pid, startTicks };
  OPEN_OWNERS.add(owner.name);
  return owner;
}

/** Marks a journal of this process as closed: its leftovers become anyone's to recover. */
export function closeOwner(owner: JournalOwner): void {
  OPEN_OWNERS.delete(owner.name);
}

/** The file name of an owner's segment number `seq`. */
export function segmentFileName(owner: JournalOwner, seq: number): string {
  return `${owner.name}-${String(seq).padStart(8, '0')}.wal`;
}

/** The file name of a segment claimed by `claimer`. */
export function claimFileName(segment: string, claimer: JournalOwner): string {
  return `${segment}.wal.${claimer.name}.claim`;
}

function ownerOf(match: RegExpExecArray, at: number): JournalOwner {
  const [name, bootId, pid, startTicks] = [match[at], match[at + 1], match[at + 2], match[at + 3]];
  return {
    name: name as string,
    bootId: bootId as string,
    pid: Number(pid),
    startTicks: startTicks as string,
  };
}

/** Reads a name of the journal folder; `undefined` for anything else (temporary files too). */
export function parseJournalName(name: string): JournalName | undefined {
  const segment = SEGMENT.exec(name);
  if (segment !== null) {
    return { kind: 'segment', segment: segment[1] as string, owner: ownerOf(segment, 2) };
  }
  const claim = CLAIM.exec(name);
  if (claim !== null) {
    return {
      kind: 'claim',
      segment: claim[1] as string,
      owner: ownerOf(claim, 2),
      claimer: ownerOf(claim, 7),
    };
  }
  return undefined;
}

/** Whether the process behind an owner may still write under its name. */
export function isOwnerRunning(owner: JournalOwner, bootId: string): boolean {
  if (OPEN_OWNERS.has(owner.name)) return true;
  if (owner.bootId !== compactBoot(bootId)) return false;
  if (owner.pid === process.pid && owner.startTicks === ownProcessStartTicks()) return false;
  return isProcessRunning(owner.pid, owner.startTicks);
}

/** Whether two boot ids are known to be the same boot. */
export function isSameBoot(a: string, b: string): boolean {
  return compactBoot(a) === compactBoot(b) && compactBoot(a) !== compactBoot(UNKNOWN_BOOT);
}
