/** metricd: the reporter, its worker processes and their protocol. */
export * from './block-size.ts';
export * from './reporter.ts';
export * from './worker-messages.ts';
export * from './worker-pool.ts';
export * from './worker-process.ts';
