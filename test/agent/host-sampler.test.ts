/**
 * A fixture tree read as `/proc`: every figure with its node_exporter name, labels and value, and
 * the readers never throw on text they do not understand.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { PROC_FIXTURE } from '../support/proc-fixture.ts';
import { sampleHost } from '../../src/agent/host-sampler.ts';
import {
  readDiskstats,
  readLoadavg,
  readMeminfo,
  readMounts,
  readNetDev,
  readPressure,
  readProcStat,
  readVmstat,
  type HostFigure,
} from '../../src/agent/proc-files.ts';

const FIXTURE = PROC_FIXTURE;

/** `name{k=v,…}` → value, for comparisons. */
function byKey(figures: readonly HostFigure[]): Map<string, number> {
  return new Map(
    figures.map(({ name, labels, value }) => {
      const pairs = Object.entries(labels).map(([key, text]) => `${key}=${text}`);
      return [pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`, value];
    }),
  );
}

describe('sampleHost on a fixture tree', () => {
  it('reads every figure the agent reports', async () => {
    const figures = byKey(
      await sampleHost(FIXTURE, (mount) =>
        Promise.resolve(
          mount.mountpoint === '/'
            ? { sizeBytes: 1000, freeBytes: 400, availBytes: 300 }
            : { sizeBytes: 10, freeBytes: 10, availBytes: 10 },
        ),
      ),
    );
    const expected: Record<string, number> = {
      'node_cpu_seconds_total{mode=user}': 1904.27,
      'node_cpu_seconds_total{mode=nice}': 0.12,
      'node_cpu_seconds_total{mode=system}': 412.14,
      'node_cpu_seconds_total{mode=idle}': 4028.85,
      'node_cpu_seconds_total{mode=iowait}': 116.34,
      'node_cpu_seconds_total{mode=irq}': 0.05,
      'node_cpu_seconds_total{mode=softirq}': 34.61,
      'node_cpu_seconds_total{mode=steal}': 0.82,
      node_procs_running: 3,
      node_procs_blocked: 1,
      node_memory_MemTotal_bytes: 24_670_032 * 1024,
      node_memory_MemAvailable_bytes: 20_000_000 * 1024,
      node_memory_MemUsed_bytes: 4_670_032 * 1024,
      node_memory_Cached_bytes: 9_000_000 * 1024,
      node_memory_Buffers_bytes: 200_000 * 1024,
      node_memory_SwapUsed_bytes: 97_148 * 1024,
      node_vmstat_pswpin: 120,
      node_vmstat_pswpout: 340,
      node_load1: 0.5,
      node_load5: 0.75,
      node_load15: 1.25,
      node_pressure_cpu_waiting_seconds_total: 153.872655,
      node_pressure_io_waiting_seconds_total: 2.5,
      node_pressure_io_stalled_seconds_total: 1,
      node_pressure_memory_stalled_seconds_total: 0.1,
      'node_disk_reads_completed_total{device=sda}': 1000,
      'node_disk_read_bytes_total{device=sda}': 64000 * 512,
      'node_disk_written_bytes_total{device=sda}': 128000 * 512,
      'node_disk_io_time_seconds_total{device=sda}': 1.5,
      'node_disk_writes_completed_total{device=nvme0n1}': 60,
      'node_network_receive_bytes_total{device=eth0}': 123_456_789,
      'node_network_transmit_packets_total{device=eth0}': 56_789,
      'node_network_receive_errs_total{device=eth0}': 2,
      'node_network_transmit_drop_total{device=eth0}': 5,
      'node_filesystem_size_bytes{mountpoint=/,fstype=ext4}': 1000,
      'node_filesystem_used_bytes{mountpoint=/,fstype=ext4}': 600,
      'node_filesystem_avail_bytes{mountpoint=/,fstype=ext4}': 300,
      'node_filesystem_size_bytes{mountpoint=/run/my volume,fstype=tmpfs}': 10,
    };
    for (const [key, value] of Object.entries(expected)) {
      const found = figures.get(key);
      assert.ok(found !== undefined, `${key} is reported`);
      assert.ok(Math.abs(found - value) < 1e-9, `${key}: ${String(found)} ≠ ${String(value)}`);
    }
    // NOTE: no partitions, loop devices, cpu lines per CPU, virtual file systems or duplicates.
    const keys = [...figures.keys()];
    for (const absent of ['sda1', 'nvme0n1p1', 'loop0', 'mountpoint=/proc', 'overlay', 'cpu=']) {
      assert.ok(!keys.some((key) => key.includes(absent)), `${absent} is left out`);
    }
    assert.ok(!keys.includes('node_pressure_cpu_stalled_seconds_total'));
  });

  it('leaves out the files a kernel does not have', async () => {
    const figures = await sampleHost(join(FIXTURE, 'net'));
    assert.deepEqual(figures, []);
  });

  it('never throws on text it does not understand (truncated, foreign, oversized)', () => {
    const readers = [
      readProcStat,
      readMeminfo,
      readVmstat,
      readLoadavg,
      (text: string) => readPressure('io', text),
      readDiskstats,
      readNetDev,
      readMounts,
    ];
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.lorem({ maxCount: 60 })),
        fc.nat(readers.length - 1),
        (text, index) => {
          readers[index]?.(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
