/** The errors the storage backends raise on purpose. None carries an HTTP status. */
import { EngineError } from '../errors/engine-error.ts';

/** The storage backend cannot be reached (Redis down, timed out, disk full); retrying may work. */
export class StorageUnavailableError extends EngineError {
  readonly code = 'STORAGE_UNAVAILABLE';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/**
 * A fenced write found that its writer no longer holds the metric's lock (the fence key holds
 * another token, or none), and wrote nothing.
 */
export class FencedWriteError extends EngineError {
  readonly code = 'FENCED_WRITE';
  readonly metricId: string;

  constructor(metricId: string) {
    super(`refused a write to metric ${metricId}: its writer no longer holds the metric's lock`);
    this.metricId = metricId;
  }
}
