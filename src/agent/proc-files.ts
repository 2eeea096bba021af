/**
 * Readers of the Linux files a host agent samples, as pure functions of their text, so that a
 * fixture tree reads exactly as the real one. Names follow node_exporter's, so that users
 * recognise them; labels (`mode`, `device`, `mountpoint`) are kept apart from the name. Counters
 * stay raw (totals since boot): rates are computed where the series are read, across resets.
 */

/** One figure of a sample. */
export interface HostFigure {
  readonly name: string;
  /** Label name → value, e.g. `{ mode: 'user' }`; empty for a plain figure. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Clock ticks per second of `/proc/stat` (USER_HZ, 100 on every Linux architecture in use). */
export const USER_HZ = 100;

const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

const figure = (
  name: string,
  value: number,
  labels: Readonly<Record<string, string>> = {},
): HostFigure => ({ name, labels, value });

function fieldsOf(line: string): string[] {
  return line.trim().split(/\s+/);
}

function numberAt(fields: readonly string[], index: number): number | undefined {
  const text = fields[index];
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `/proc/stat`: CPU seconds by mode (all CPUs together), processes running and blocked. */
export function readProcStat(text: string): HostFigure[] {
  const out: HostFigure[] = [];
  for (const line of text.split('\n')) {
    const fields = fieldsOf(line);
    if (fields[0] === 'cpu') {
      CPU_MODES.forEach((mode, index) => {
        const ticks = numberAt(fields, index + 1);
        if (ticks !== undefined) {
          out.push(figure('node_cpu_seconds_total', ticks / USER_HZ, { mode }));
        }
      });
    } else if (fields[0] === 'procs_running' || fields[0] === 'procs_blocked') {
      const value = numberAt(fields, 1);
      if (value !== undefined) out.push(figure(`node_${fields[0]}`, value));
    }
  }
  return out;
}

const MEMINFO: Readonly<Record<string, string>> = {
  MemTotal: 'node_memory_MemTotal_bytes',
  MemFree: 'node_memory_MemFree_bytes',
  MemAvailable: 'node_memory_MemAvailable_bytes',
  Cached: 'node_memory_Cached_bytes',
  Buffers: 'node_memory_Buffers_bytes',
  SwapTotal: 'node_memory_SwapTotal_bytes',
  SwapFree: 'node_memory_SwapFree_bytes',
};

/**
 * `/proc/meminfo` (kB) as bytes, plus what node_exporter leaves to queries: memory used
 * (total − available) and swap used (total − free).
 */
export function readMeminfo(text: string): HostFigure[] {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match?.[1] !== undefined) kb.set(match[1], Number(match[2]));
  }
  const out: HostFigure[] = [];
  for (const [key, name] of Object.entries(MEMINFO)) {
    const value = kb.get(key);
    if (value !== undefined) out.push(figure(name, value * 1024));
  }
  const total = kb.get('MemTotal');
  const available = kb.get('MemAvailable');
  if (total !== undefined && available !== undefined) {
    out.push(figure('node_memory_MemUsed_bytes', (total - available) * 1024));
  }
  const swapTotal = kb.get('SwapTotal');
  const swapFree = kb.get('SwapFree');
  if (swapTotal !== undefined && swapFree !== undefined) {
    out.push(figure('node_memory_SwapUsed_bytes', (swapTotal - swapFree) * 1024));
  }
  return out;
}

/** `/proc/vmstat`: pages swapped in and out. */
export function readVmstat(text: string): HostFigure[] {
  const out: HostFigure[] = [];
  for (const line of text.split('\n')) {
    const [key, value] = fieldsOf(line);
    if ((key === 'pswpin' || key === 'pswpout') && value !== undefined) {
      out.push(figure(`node_vmstat_${key}`, Number(value)));
    }
  }
  return out;
}

/** `/proc/loadavg`: the 1, 5 and 15-minute load averages. */
export function readLoadavg(text: string): HostFigure[] {
  const fields = fieldsOf(text);
  const out: HostFigure[] = [];
  for (const [index, name] of ['node_load1', 'node_load5', 'node_load15'].entries()) {
    const value = numberAt(fields, index);
    if (value !== undefined) out.push(figure(name, value));
  }
  return out;
}

/**
 * `/proc/pressure/<resource>`: seconds tasks waited (`some`) and were all stalled (`full`) on
 * it, from the `total=` microsecond counters; `full` of `cpu` is left out, as node_exporter does.
 */
export function readPressure(resource: 'cpu' | 'io' | 'memory', text: string): HostFigure[] {
  const out: HostFigure[] = [];
  for (const line of text.split('\n')) {
    const fields = fieldsOf(line);
    const total = /^total=(\d+)$/.exec(fields.find((field) => field.startsWith('total=')) ?? '');
    if (total?.[1] === undefined) continue;
    const seconds = Number(total[1]) / 1_000_000;
    if (fields[0] === 'some') {
      out.push(figure(`node_pressure_${resource}_waiting_seconds_total`, seconds));
    } else if (fields[0] === 'full' && resource !== 'cpu') {
      out.push(figure(`node_pressure_${resource}_stalled_seconds_total`, seconds));
    }
  }
  return out;
}

/** Bytes of a sector in `/proc/diskstats`, whatever the device's own. */
const SECTOR_BYTES = 512;

/**
 * `/proc/diskstats`: per disk, reads and writes completed, bytes read and written, seconds
 * spent doing I/O. Partitions, loop, ram and device-mapper-less virtual devices are left out,
 * as node_exporter's default excludes them.
 */
export function readDiskstats(text: string): HostFigure[] {
  const out: HostFigure[] = [];
  for (const line of text.split('\n')) {
    const fields = fieldsOf(line);
    const device = fields[2];
    if (device === undefined || fields.length < 14 || !isWholeDisk(device)) continue;
    const at = (index: number) => numberAt(fields, index) ?? 0;
    const labels = { device };
    out.push(
      figure('node_disk_reads_completed_total', at(3), labels),
      figure('node_disk_read_bytes_total', at(5) * SECTOR_BYTES, labels),
      figure('node_disk_writes_completed_total', at(7), labels),
      figure('node_disk_written_bytes_total', at(9) * SECTOR_BYTES, labels),
      figure('node_disk_io_time_seconds_total', at(12) / 1000, labels),
    );
  }
  return out;
}

function isWholeDisk(device: string): boolean {
  if (/^(loop|ram|zram|fd|sr)\d/.test(device)) return false;
  // NOTE: sda1, vda2, xvdb3 are partitions; nvme0n1p1, mmcblk0p1 too; nvme0n1 and dm-0 are not.
  if (/^(sd|vd|xvd|hd)[a-z]+\d+$/.test(device)) return false;
  return !/^(nvme\d+n\d+|mmcblk\d+)p\d+$/.test(device);
}

const NET_RECEIVE = ['bytes', 'packets', 'errs', 'drop'];
const NET_TRANSMIT = ['bytes', 'packets', 'errs', 'drop'];

/** `/proc/net/dev`: per interface, bytes, packets, errors and drops received and sent. */
export function readNetDev(text: string): HostFigure[] {
  const out: HostFigure[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const fields = fieldsOf(line.slice(colon + 1));
    if (device === '' || fields.length < 16) continue;
    const labels = { device };
    NET_RECEIVE.forEach((what, index) => {
      out.push(figure(`node_network_receive_${what}_total`, numberAt(fields, index) ?? 0, labels));
    });
    NET_TRANSMIT.forEach((what, index) => {
      out.push(
        figure(`node_network_transmit_${what}_total`, numberAt(fields, index + 8) ?? 0, labels),
      );
    });
  }
  return out;
}

/** File system types that hold no disk space of their own, left out as node_exporter does. */
const VIRTUAL_FILESYSTEMS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'pstore',
  'bpf',
  'debugfs',
  'tracefs',
  'mqueue',
  'hugetlbfs',
  'configfs',
  'fusectl',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'rpc_pipefs',
  'selinuxfs',
  'efivarfs',
  'squashfs',
  'overlay',
  'ramfs',
]);

/** A mounted file system worth measuring. */
export interface MountPoint {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
}

/** `/proc/mounts` (or `/proc/self/mounts`): the file systems with space of their own, once each. */
export function readMounts(text: string): MountPoint[] {
  const seen = new Set<string>();
  const out: MountPoint[] = [];
  for (const line of text.split('\n')) {
    const [device, rawMountpoint, fstype] = fieldsOf(line);
    if (device === undefined || rawMountpoint === undefined || fstype === undefined) continue;
    if (VIRTUAL_FILESYSTEMS.has(fstype)) continue;
    // NOTE: the kernel writes a space in a path as \040.
    const mountpoint = rawMountpoint.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(parseInt(octal, 8)),
    );
    if (seen.has(mountpoint)) continue;
    seen.add(mountpoint);
    out.push({ device, mountpoint, fstype });
  }
  return out;
}

/** What `statfs` says of one file system, in bytes. */
export interface FileSystemSpace {
  readonly sizeBytes: number;
  readonly freeBytes: number;
  readonly availBytes: number;
}

/** The figures of one file system. */
export function fileSystemFigures(mount: MountPoint, space: FileSystemSpace): HostFigure[] {
  const labels = { mountpoint: mount.mountpoint, fstype: mount.fstype };
  return [
    figure('node_filesystem_size_bytes', space.sizeBytes, labels),
    figure('node_filesystem_free_bytes', space.freeBytes, labels),
    figure('node_filesystem_avail_bytes', space.availBytes, labels),
    figure('node_filesystem_used_bytes', space.sizeBytes - space.freeBytes, labels),
  ];
}
