import { EngineError } from './engine-error.ts';

/** The configuration (defaults, file, environment, flags) is invalid. */
export class ConfigError extends EngineError {
  readonly code = 'INVALID_CONFIG';
  /** The key path, flag or file that is at fault. */
  readonly path: string;

  constructor(message: string, options: { path: string; cause?: unknown }) {
    super(message, options);
    this.path = options.path;
  }
}
