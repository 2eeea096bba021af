/** The fixture tree standing in for a host's `/proc` in the agent's tests. */
import { join } from 'node:path';

/** A host with two CPUs, a disk with a partition, an NVMe drive, eth0 and a few mounts. */
export const PROC_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'proc-host');
