/** The errors the lock services raise on purpose. None carries an HTTP status. */
import { EngineError } from '../errors/engine-error.ts';

/** The coordination backend cannot be reached (Redis down, timed out); retrying may work. */
export class LockUnavailableError extends EngineError {
  readonly code = 'LOCK_UNAVAILABLE';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
