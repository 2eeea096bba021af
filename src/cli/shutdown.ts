/**
 * Graceful shutdown on SIGTERM and SIGINT: the first signal runs the shutdown once; a second one
 * while it is under way exits at once, as an operator pressing Ctrl-C twice expects.
 */

/** Runs `shutdown` on the first SIGTERM or SIGINT. */
export function onShutdownSignal(shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    shutdown().catch((error: unknown) => {
      process.stderr.write(`orzo: shutdown failed: ${String(error)}\n`);
      process.exitCode = 1;
    });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
