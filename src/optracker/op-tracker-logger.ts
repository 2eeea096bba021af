/** The logging the tracker needs; pino's `Logger` is one. */
export interface OpTrackerLogger {
  warn(fields: object, message: string): void;
}
