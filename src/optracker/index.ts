/**
 * The op tracker: per-op event timelines, slow-op warnings and bounded histories for every API
 * request and metric processing (see `op-tracker.ts` for how to use it).
 */
export * from './dump-ops.ts';
export { NOOP_OP } from './noop-op.ts';
export type {
  BlockedOpsDump,
  HistoricOpsDump,
  OpEventJson,
  OpFilter,
  OpJson,
  OpsDump,
  SlowOpsDump,
} from './op-json.ts';
export { OpTracker, type OpFinishListener, type OpTrackerOptions } from './op-tracker.ts';
export type { OpsHealth, SlowOpsCheck } from './ops-health.ts';
export type { BeginOptions, OpEvent, TrackedOp } from './tracked-op.ts';
