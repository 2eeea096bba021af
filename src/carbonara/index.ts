/**
 * The pure time-series core: series, grouping and the aggregation methods, the raw buffer
 * (BoundTimeSerie), recomputation of touched buckets, stored aggregates (retention, ranges,
 * resampling), fill, split keys; the binary format in `codec/`; cross-metric aggregation in
 * `cross/`.
 */
export * from './aggregation-method.ts';
export * from './bound-time-serie.ts';
export * from './calendar.ts';
export * from './codec/index.ts';
export * from './cross/index.ts';
export * from './downsample.ts';
export * from './errors.ts';
export * from './fill-series.ts';
export * from './grouped-series.ts';
export * from './measures.ts';
export * from './merge-series.ts';
export * from './recompute-buckets.ts';
export * from './reduce-buckets.ts';
export * from './series.ts';
export * from './split-key.ts';
export * from './stored-aggregate.ts';
