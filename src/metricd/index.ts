/** metricd: the reporter, its worker processes and their protocol. */
export * from './block-size.ts';
export * from './reporter.ts';
export * from './worker-messages.ts';
export * from './worker-pool.ts';
export * from './worker-process.ts';
export * from './block-consumer.ts';
export * from './block-job.ts';
export * from './block-queue.ts';
export * from './cluster-reporter.ts';
export * from './pending-metrics.ts';
export * from './janitor.ts';
export * from './backlog-gauge.ts';
export * from './reporter-summary.ts';
