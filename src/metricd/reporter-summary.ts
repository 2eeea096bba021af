/** The `reporter` part of the status both reporters publish. */
import type { MetricdConfig } from '../config/index.ts';
import type { BacklogStatus, MetricdStatus } from '../coordination/index.ts';
import type { OpTracker } from '../optracker/index.ts';

/** Who the reporter is. */
export interface ReporterIdentity {
  readonly config: Pick<MetricdConfig, 'tickSeconds'>;
  readonly tracker: Pick<OpTracker, 'health'>;
  readonly name: string;
  readonly host: string;
}

/** What a reporter's own figures are made of. */
export interface ReporterFigures {
  readonly startedAt: string;
  readonly blockSize: number;
  readonly backlog: BacklogStatus;
  readonly metricsExpunged: number;
}

/** The `reporter` part of the status a reporter publishes. */
export function reporterSummary(
  deps: ReporterIdentity,
  figures: ReporterFigures,
): MetricdStatus['reporter'] {
  return {
    name: deps.name,
    host: deps.host,
    pid: process.pid,
    startedAt: figures.startedAt,
    updatedAt: new Date().toISOString(),
    tickSeconds: deps.config.tickSeconds,
    blockSize: figures.blockSize,
    backlog: figures.backlog,
    metricsExpunged: figures.metricsExpunged,
    ops: deps.tracker.health(),
  };
}
