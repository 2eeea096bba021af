/**
 * One sample of a host: the files of `/proc` (or of a fixture tree standing in for it) read by
 * `proc-files.ts`, and `statfs` of each mounted file system. A file a kernel does not have
 * (`/proc/pressure` before 4.20, or where disabled) is left out, not an error.
 */
import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';

import {
  fileSystemFigures,
  readDiskstats,
  readLoadavg,
  readMeminfo,
  readMounts,
  readNetDev,
  readPressure,
  readProcStat,
  readVmstat,
  type FileSystemSpace,
  type HostFigure,
  type MountPoint,
} from './proc-files.ts';

/** How space is read; `statfs(2)` unless a test says otherwise. */
export type SpaceReader = (mount: MountPoint) => Promise<FileSystemSpace | undefined>;

/** `statfs(2)` of the mount point; undefined for one that cannot be read (gone, no access). */
export const statfsSpace: SpaceReader = async (mount) => {
  try {
    const stats = await statfs(mount.mountpoint);
    return {
      sizeBytes: stats.blocks * stats.bsize,
      freeBytes: stats.bfree * stats.bsize,
      availBytes: stats.bavail * stats.bsize,
    };
  } catch {
    return undefined;
  }
};

/** Reads every figure of the host under `procRoot`. */
export async function sampleHost(
  procRoot: string,
  readSpace: SpaceReader = statfsSpace,
): Promise<HostFigure[]> {
  const read = async (path: string): Promise<string | undefined> => {
    try {
      return await readFile(join(procRoot, path), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const [stat, meminfo, vmstat, loadavg, cpu, io, memory, diskstats, netDev, mounts] =
    await Promise.all([
      read('stat'),
      read('meminfo'),
      read('vmstat'),
      read('loadavg'),
      read('pressure/cpu'),
      read('pressure/io'),
      read('pressure/memory'),
      read('diskstats'),
      read('net/dev'),
      read('self/mounts').then((text) => text ?? read('mounts')),
    ]);
  const figures: HostFigure[] = [
    ...(stat === undefined ? [] : readProcStat(stat)),
    ...(meminfo === undefined ? [] : readMeminfo(meminfo)),
    ...(vmstat === undefined ? [] : readVmstat(vmstat)),
    ...(loadavg === undefined ? [] : readLoadavg(loadavg)),
    ...(cpu === undefined ? [] : readPressure('cpu', cpu)),
    ...(io === undefined ? [] : readPressure('io', io)),
    ...(memory === undefined ? [] : readPressure('memory', memory)),
    ...(diskstats === undefined ? [] : readDiskstats(diskstats)),
    ...(netDev === undefined ? [] : readNetDev(netDev)),
  ];
  for (const mount of readMounts(mounts ?? '')) {
    const space = await readSpace(mount);
    if (space !== undefined) figures.push(...fileSystemFigures(mount, space));
  }
  return figures;
}
