/** The logging the processing pipeline needs; pino's `Logger` is one. */
export interface ChefLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
