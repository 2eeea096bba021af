/**
 * Cross-metric aggregation: the time × series grid, the NaN-ignoring reductions, and the
 * evaluation of an operations tree over them.
 */
export * from './cross-aggregate.ts';
export * from './cross-operation.ts';
export * from './evaluate-operations.ts';
export * from './nan-reduce.ts';
export * from './series-grid.ts';
