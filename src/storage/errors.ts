/** The errors the storage backends raise on purpose. None carries an HTTP status. */
import { EngineError } from '../errors/engine-error.ts';

/** The storage backend cannot be reached (Redis down, timed out, disk full); retrying may work. */
export class StorageUnavailableError extends EngineError {
  readonly code = 'STORAGE_UNAVAILABLE';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
