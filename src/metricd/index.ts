/**
 * metricd: one reporter skeleton (`reporter/`) with a dispatcher per mode (`local/`: IPC to its
 * own workers; `cluster/`: a shared BullMQ queue and an elected active reporter), the worker
 * processes' supervision and protocol (`supervision/`), the worker loop (`worker/`), and the
 * modules the active reporter hosts (`modules/`).
 */
export * from './cluster/block-consumer.ts';
export * from './cluster/block-job.ts';
export * from './cluster/block-queue.ts';
export * from './cluster/cluster-dispatcher.ts';
export * from './cluster/election-leadership.ts';
export * from './local/local-dispatcher.ts';
export * from './modules/host-poller.ts';
export * from './modules/host-registry.ts';
export * from './modules/group-samples.ts';
export * from './modules/janitor.ts';
export * from './modules/resource-series.ts';
export * from './modules/subhealth-checker.ts';
export * from './modules/subhealth-schema.ts';
export * from './modules/worker-figures-recorder.ts';
export * from './reporter/backlog-gauge.ts';
export * from './reporter/block-dispatcher.ts';
export * from './reporter/block-size.ts';
export * from './reporter/leadership.ts';
export * from './reporter/module-host.ts';
export * from './reporter/pending-metrics.ts';
export * from './reporter/reporter-module.ts';
export * from './reporter/reporter.ts';
export * from './supervision/worker-messages.ts';
export * from './supervision/worker-supervisor.ts';
export * from './worker/worker-process.ts';
