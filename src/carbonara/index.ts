/** The pure time-series core: series, aggregation, the raw buffer, splits and their format. */
export * from './aggregate-series.ts';
export * from './aggregated-series.ts';
export * from './aggregation-method.ts';
export * from './bound-time-serie.ts';
export * from './calendar.ts';
export * from './compute-aggregations.ts';
export * from './errors.ts';
export * from './grouped-series.ts';
export * from './measures.ts';
export * from './merge-series.ts';
export { SERIES_FORMAT_VERSION, decodeSeries, encodeSeries } from './serialize.ts';
export * from './series.ts';
export * from './split-key.ts';
