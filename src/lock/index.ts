/** Per-metric locks: the contract and its backends. */
export * from './create-metric-locks.ts';
export * from './file-metric-locks.ts';
export * from './metric-locks.ts';
