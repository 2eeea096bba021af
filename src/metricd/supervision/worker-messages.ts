/** The IPC protocol between metricd's reporter (the parent) and its worker processes. */
import type { DamageRecord, ProcessingFigures } from '../../chef/index.ts';
import type { EngineConfig } from '../../config/index.ts';
import type { OpFilter, OpsDump, OpsDumpName, OpsHealth } from '../../optracker/index.ts';
import type { IoFigures } from '../../storage/index.ts';

/** Parent → worker. */
export type ToWorker =
  /** First message: what to connect to. */
  | { readonly type: 'start'; readonly index: number; readonly config: EngineConfig }
  /** Process these metrics, then answer `done`. */
  | { readonly type: 'block'; readonly blockId: number; readonly metricIds: readonly string[] }
  /** Finish the metric in hand, skip the rest of the block, answer `done`, and exit. */
  | { readonly type: 'drain' }
  /** Answer `ops` with one of the op tracker's dumps. */
  | {
      readonly type: 'ops';
      readonly requestId: number;
      readonly dump: OpsDumpName;
      readonly filter?: OpFilter;
    };

/** Worker → parent. */
export type FromWorker =
  /** Connected and waiting for blocks. */
  | { readonly type: 'ready' }
  /** Every second and after each block: the worker's figures since it started. */
  | {
      readonly type: 'beat';
      readonly figures: ProcessingFigures;
      readonly ops: OpsHealth;
      /** Its storage I/O since it started. */
      readonly io?: IoFigures;
      /** The damaged stored objects its chef met lately. */
      readonly damage?: readonly DamageRecord[];
    }
  /** The dump an `ops` request asked for. */
  | { readonly type: 'ops'; readonly requestId: number; readonly dump: OpsDump }
  /** Redis coordination: a block taken from the shared queue is starting. */
  | { readonly type: 'block-started'; readonly jobId: string; readonly metrics: number }
  /** Redis coordination: a block from the shared queue is finished (or cut short by `drain`). */
  | {
      readonly type: 'block-finished';
      readonly jobId: string;
      readonly figures: ProcessingFigures;
      /** It was put back in the queue after its first worker died. */
      readonly rerun: boolean;
    }
  /** A block is finished (or cut short by `drain`); `left` metrics of it were not touched. */
  | {
      readonly type: 'done';
      readonly blockId: number;
      readonly figures: ProcessingFigures;
      readonly left: readonly string[];
    };

/** The worker messages about blocks, which the supervisor passes on to the dispatcher. */
export type DispatchMessage = Extract<
  FromWorker,
  { type: 'done' | 'block-started' | 'block-finished' }
>;

/** Whether a value a worker received over IPC is a message of the protocol. */
export function isToWorker(value: unknown): value is ToWorker {
  return hasType(value, ['start', 'block', 'drain', 'ops']);
}

/** Whether a value the reporter received over IPC is a message of the protocol. */
export function isFromWorker(value: unknown): value is FromWorker {
  return hasType(value, ['ready', 'beat', 'done', 'ops', 'block-started', 'block-finished']);
}

function hasType(value: unknown, types: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    types.includes((value as { type?: unknown }).type as string)
  );
}
