/**
 * The file system a bench's data folder lives on, printed with its figures: what Orzo's file
 * stores cost depends on it more than on anything in Orzo. On ext4 without a journal each file
 * creation walks past the inodes freed in the last minutes, so that the many-metric shapes ran up
 * to three times slower there, and slower with every run (docs/benchmarks.md, "The file system
 * under the figures"); a bench run there warns on stderr.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';

/** Where a folder's files go. */
export interface FileSystemInfo {
  readonly path: string;
  readonly mountPoint: string;
  readonly type: string;
  readonly device: string;
  /** ext4 only: whether it keeps a journal (a `/proc/fs/jbd2` entry for its device). */
  readonly journal?: boolean;
}

/** The mount that holds `path`, read from `/proc/self/mounts` (the longest mount point above it). */
export function fileSystemOf(path: string): FileSystemInfo {
  const absolute = resolve(path);
  let best: { mountPoint: string; type: string; device: string } | undefined;
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [device, encodedMountPoint, type] = line.split(' ');
    if (device === undefined || encodedMountPoint === undefined || type === undefined) continue;
    // NOTE: the kernel writes spaces and other blanks in mount points as octal escapes.
    const mountPoint = encodedMountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(parseInt(octal, 8)),
    );
    const holds =
      mountPoint === '/' ||
      absolute === mountPoint ||
      absolute.startsWith(mountPoint.endsWith(sep) ? mountPoint : `${mountPoint}${sep}`);
    if (holds && (best === undefined || mountPoint.length >= best.mountPoint.length)) {
      best = { mountPoint, type, device };
    }
  }
  if (best === undefined) return { path: absolute, mountPoint: '?', type: '?', device: '?' };
  if (best.type !== 'ext4') return { path: absolute, ...best };
  const name = basename(best.device);
  const journals = existsSync('/proc/fs/jbd2') ? readdirSync('/proc/fs/jbd2') : [];
  return {
    path: absolute,
    ...best,
    journal: journals.some((entry) => entry.startsWith(`${name}-`)),
  };
}

/** Warns on stderr when a bench's data goes to ext4 without a journal; returns the info. */
export function checkBenchFileSystem(path: string): FileSystemInfo {
  const info = fileSystemOf(path);
  if (info.journal === false) {
    process.stderr.write(
      `warning: ${info.path} is on ext4 without a journal (${info.device} at ${info.mountPoint}), ` +
        'where creating files slows with every file deleted in the last minutes; the figures ' +
        'will not compare with docs/benchmarks.md (see "The file system under the figures" for ' +
        'a journaled file system to set TMPDIR to)\n',
    );
  }
  return info;
}
