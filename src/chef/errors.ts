/** The errors of the processing pipeline. */
import { EngineError } from '../errors/index.ts';

/** Raised when a metric's lock was lost while processing it: nothing more may be written. */
export class LockLostError extends EngineError {
  readonly code = 'LOCK_LOST';
  readonly metricId: string;

  constructor(metricId: string) {
    super(`lost the lock of metric ${metricId} while processing it`);
    this.metricId = metricId;
  }
}
