/**
 * The logging every part of the engine is given (pino's `Logger` is one): the composition root
 * makes the logger, and each component receives it, or the part of it it needs.
 */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
