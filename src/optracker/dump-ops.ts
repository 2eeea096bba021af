/**
 * The dump commands by name, as the admin endpoints, the `orzo ops` command and metricd's admin
 * socket call them (Ceph's `dump_ops_in_flight`, `dump_blocked_ops`, `dump_historic_ops`,
 * `dump_historic_ops_by_duration`, `dump_historic_slow_ops`).
 */
import type { OpFilter, OpsDump } from './op-json.ts';
import type { OpTracker } from './op-tracker.ts';

/** The dump names. */
export const OPS_DUMPS = [
  'in-flight',
  'blocked',
  'historic',
  'historic-by-duration',
  'historic-slow',
] as const;

/** One dump name. */
export type OpsDumpName = (typeof OPS_DUMPS)[number];

/** Whether a value names a dump. */
export function isOpsDumpName(value: unknown): value is OpsDumpName {
  return (OPS_DUMPS as readonly unknown[]).includes(value);
}

/** Runs the dump `name` of a tracker. */
export function dumpOps(tracker: OpTracker, name: OpsDumpName, filter?: OpFilter): OpsDump {
  switch (name) {
    case 'in-flight':
      return tracker.dumpInFlight(filter);
    case 'blocked':
      return tracker.dumpBlocked(filter);
    case 'historic':
      return tracker.dumpHistoric(filter);
    case 'historic-by-duration':
      return tracker.dumpHistoricByDuration(filter);
    case 'historic-slow':
      return tracker.dumpHistoricSlow(filter);
  }
}
