/** Documents of metricd's status for tests that read or render them. */
import type { WorkerStatus } from '../../src/coordination/index.ts';
import type { OpsHealth } from '../../src/optracker/index.ts';

/** A worker at rest, named `name`, with `figures` over it. */
export function workerStatus(name: string, figures: Partial<WorkerStatus> = {}): WorkerStatus {
  return {
    name,
    index: 0,
    pid: 1,
    alive: true,
    lastBeat: null,
    currentBlock: 0,
    restarts: 0,
    blocksDone: 0,
    metricsProcessed: 0,
    metricsLocked: 0,
    measuresProcessed: 0,
    measuresDropped: 0,
    measuresPerSecond: 0,
    corrupt: 0,
    errors: 0,
    ops: null,
    ...figures,
  };
}

/** An op tracker with nothing in flight. */
export const IDLE_OPS: OpsHealth = {
  enabled: true,
  inFlight: 0,
  slowOps: 0,
  oldestSlowAgeSeconds: null,
  oldestAgeSeconds: null,
  complaintTimeSeconds: 30,
  untracked: 0,
};
