/** A logger that keeps the fields of every warning, for tests of what a component reports. */
import type { Logger } from '../../src/log/logger.ts';

/** The logger, and the warnings' fields in the order they came. */
export function warningLogger(): { logger: Logger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  return {
    warnings,
    logger: {
      info: () => undefined,
      warn: (fields) => {
        warnings.push(fields as Record<string, unknown>);
      },
      error: () => undefined,
    },
  };
}
