import type { ErrorCode } from './error-code.ts';

/**
 * The root of every error the engine raises on purpose.
 *
 * Each subclass carries a stable `code` that callers (and the API's one HTTP mapping table) switch
 * on, plus typed context fields; none carries an HTTP status. This folder imports nothing outside
 * itself, so every layer, the pure core included, may use it.
 */
export abstract class EngineError extends Error {
  /** Stable machine-readable identifier, one of `ERROR_CODES`, e.g. `'INVALID_DATA'`. */
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
