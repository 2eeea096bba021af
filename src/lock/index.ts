/** Per-metric locks: the contract and its backends. */
export * from './create-metric-locks.ts';
export * from './errors.ts';
export * from './file-metric-locks.ts';
export * from './metric-locks.ts';
export { RedisMetricLock } from './redis-metric-lock.ts';
export * from './redis-metric-locks.ts';
